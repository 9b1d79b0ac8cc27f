//! The settings screen: interface language, text size, presentation mode, scenario folder.

use super::{key, root_ui, section, top_bar};
use crate::app::Screen;
use crate::app::session::Intent;
use crate::app::settings::{Settings, SettingsStore, TEXT_SCALES};
use crate::app::theme;
use crate::text::{T, tr};
use crate::vocabulary::Locale;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub struct SettingsScreenPlugin;

impl Plugin for SettingsScreenPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(
            EguiPrimaryContextPass,
            settings_screen.run_if(in_state(Screen::Settings)),
        );
    }
}

pub struct SettingsView {
    pub settings: Settings,
    /// The folder being watched now.
    pub active_folder: String,
    /// The folder in the settings differs from the one in use until the app restarts.
    pub restart_needed: bool,
    pub problem: Option<String>,
}

/// Whether the folder the settings ask for is another than the one the app watches.
pub fn restart_needed(wanted: Option<&str>, watched: Option<&std::path::Path>) -> bool {
    let wanted = wanted
        .map(std::path::PathBuf::from)
        .or_else(|| crate::app::find_folder("scenarios"));
    match (wanted, watched) {
        (Some(wanted), Some(watched)) => {
            std::fs::canonicalize(&wanted).unwrap_or(wanted) != watched
        }
        _ => false,
    }
}

fn settings_screen(
    mut contexts: EguiContexts,
    settings: Res<Settings>,
    store: Res<SettingsStore>,
    watched: Option<Res<crate::app::idle::WatchedFolder>>,
    mut draft: Local<Option<String>>,
    mut intents: MessageWriter<Intent>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut ui = root_ui(ctx);
    if let Some(intent) = top_bar(&mut ui, Screen::Settings, settings.language) {
        intents.write(intent);
    }
    let watched = watched.map(|w| w.0.clone());
    let view = SettingsView {
        settings: settings.clone(),
        active_folder: watched
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        restart_needed: restart_needed(settings.scenario_folder.as_deref(), watched.as_deref()),
        problem: store.problem.clone(),
    };
    let folder = draft.get_or_insert_with(|| settings.scenario_folder.clone().unwrap_or_default());
    if let Some(intent) = settings_ui(&mut ui, &view, folder) {
        intents.write(intent);
    }
    Ok(())
}

/// `folder` is the text being typed into the folder field.
pub fn settings_ui(ui: &mut egui::Ui, view: &SettingsView, folder: &mut String) -> Option<Intent> {
    let s = &view.settings;
    let l = s.language;
    let mut intent = None;
    if key(ui.ctx(), egui::Key::Escape) {
        intent = Some(Intent::Navigate(Screen::Library));
    }
    egui::CentralPanel::default().show(ui, |ui| {
        ui.set_max_width(760.0);
        ui.heading(tr(T::Settings, l));
        if let Some(problem) = &view.problem {
            ui.label(
                egui::RichText::new(format!("{}: {problem}", tr(T::SettingsProblem, l)))
                    .color(theme::BAD),
            );
        }
        section(ui, tr(T::Language, l));
        ui.horizontal(|ui| {
            for locale in Locale::ALL {
                if ui
                    .radio(s.language == locale, crate::text::locale_name(locale))
                    .clicked()
                {
                    intent = Some(Intent::SetLanguage(locale));
                }
            }
        });
        section(ui, tr(T::TextSize, l));
        ui.horizontal(|ui| {
            for scale in TEXT_SCALES {
                if ui
                    .radio(
                        (s.text_scale - scale).abs() < 0.01,
                        format!("{:.0}%", scale * 100.0),
                    )
                    .clicked()
                {
                    intent = Some(Intent::SetTextScale(scale));
                }
            }
        });
        section(ui, tr(T::PresentationMode, l));
        let mut on = s.presentation;
        if ui.checkbox(&mut on, tr(T::PresentationHint, l)).changed() {
            intent = Some(Intent::SetPresentation(on));
        }
        section(ui, tr(T::ScenarioFolder, l));
        ui.label(
            egui::RichText::new(&view.active_folder)
                .small()
                .color(theme::MUTED),
        );
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(folder).desired_width(420.0));
            if ui.button(tr(T::Apply, l)).clicked() {
                intent = Some(Intent::SetFolder(Some(folder.clone())));
            }
        });
        if view.restart_needed {
            ui.horizontal(|ui| {
                ui.label(tr(T::FolderApplies, l));
                if ui.button(tr(T::RestartNow, l)).clicked() {
                    intent = Some(Intent::RestartApp);
                }
            });
        }
    });
    intent
}

#[cfg(test)]
mod tests {
    use super::restart_needed;

    #[test]
    fn the_restart_prompt_shows_only_while_the_folder_in_use_differs() {
        let dir = std::env::temp_dir().join(format!("rapport-folder-{}", std::process::id()));
        let other = dir.join("other");
        std::fs::create_dir_all(&other).expect("temp folders");
        let watched = std::fs::canonicalize(&dir).expect("canonical");
        // After a restart with the custom folder, the app watches it: no prompt.
        assert!(!restart_needed(
            Some(dir.to_str().expect("utf-8")),
            Some(&watched)
        ));
        // A path written differently but naming the same folder: no prompt either.
        let dotted = format!("{}/./", dir.display());
        assert!(!restart_needed(Some(&dotted), Some(&watched)));
        // Another folder chosen: restart to use it.
        assert!(restart_needed(
            Some(other.to_str().expect("utf-8")),
            Some(&watched)
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
