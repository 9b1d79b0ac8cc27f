//! The settings screen: interface language, text size, presentation mode, scenario folder,
//! the class vote's address, and the learning record store with its sync status.

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
    pub sync: crate::app::sync::SyncView,
}

/// What is being typed into the screen's fields, applied with their buttons.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsDraft {
    pub folder: String,
    pub vote_address: String,
    pub lrs: crate::settings::LrsSettings,
}

impl SettingsDraft {
    pub fn from(settings: &crate::settings::Settings) -> SettingsDraft {
        SettingsDraft {
            folder: settings.scenario_folder.clone().unwrap_or_default(),
            vote_address: settings.class_vote_address.clone(),
            lrs: settings.lrs.clone().unwrap_or_default(),
        }
    }
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
    sync: Res<crate::app::sync::Sync>,
    mut draft: Local<Option<SettingsDraft>>,
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
        sync: sync.view.clone(),
    };
    let draft = draft.get_or_insert_with(|| SettingsDraft::from(&settings));
    if let Some(intent) = settings_ui(&mut ui, &view, draft) {
        intents.write(intent);
    }
    Ok(())
}

/// `draft` holds what is being typed into the fields.
pub fn settings_ui(
    ui: &mut egui::Ui,
    view: &SettingsView,
    draft: &mut SettingsDraft,
) -> Option<Intent> {
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
            ui.add(egui::TextEdit::singleline(&mut draft.folder).desired_width(420.0));
            if ui.button(tr(T::Apply, l)).clicked() {
                intent = Some(Intent::SetFolder(Some(draft.folder.clone())));
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
        section(ui, tr(T::ClassVote, l));
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(&mut draft.vote_address).desired_width(220.0));
            if ui.button(tr(T::Apply, l)).clicked() {
                intent = Some(Intent::SetVoteAddress(draft.vote_address.clone()));
            }
        });
        ui.label(
            egui::RichText::new(tr(T::VoteAddressHint, l))
                .small()
                .color(theme::MUTED),
        );
        section(ui, tr(T::LrsHeading, l));
        egui::Grid::new("lrs-fields").num_columns(2).show(ui, |ui| {
            let lrs = &mut draft.lrs;
            for (label, value, secret) in [
                (T::LrsEndpoint, &mut lrs.endpoint, false),
                (T::LrsUser, &mut lrs.username, false),
                (T::LrsPassword, &mut lrs.password, true),
                (T::LrsHomePage, &mut lrs.home_page, false),
                (T::LrsGroup, &mut lrs.group, false),
            ] {
                ui.label(tr(label, l));
                ui.add(
                    egui::TextEdit::singleline(value)
                        .password(secret)
                        .desired_width(420.0),
                );
                ui.end_row();
            }
        });
        let problem = draft.lrs.problem();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(problem.is_none(), egui::Button::new(tr(T::Apply, l)))
                .clicked()
            {
                intent = Some(Intent::SetLrs(Some(draft.lrs.clone())));
            }
            if s.lrs.is_some() {
                if ui.button(tr(T::LrsSendNow, l)).clicked() {
                    intent = Some(Intent::SyncNow);
                }
                if ui.button(tr(T::LrsRemove, l)).clicked() {
                    intent = Some(Intent::SetLrs(None));
                }
            }
        });
        if let Some(problem) = problem.filter(|_| !draft.lrs.endpoint.is_empty()) {
            ui.label(egui::RichText::new(problem).small().color(theme::BAD));
        }
        sync_status(ui, s.lrs.is_some(), &view.sync, l);
    });
    intent
}

/// One line on how sending to the learning record store stands.
pub fn sync_status(
    ui: &mut egui::Ui,
    configured: bool,
    sync: &crate::app::sync::SyncView,
    l: Locale,
) {
    if !configured {
        ui.label(
            egui::RichText::new(tr(T::SyncOff, l))
                .small()
                .color(theme::MUTED),
        );
        return;
    }
    if sync.sending {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(tr(T::SyncSending, l));
        });
    }
    if !sync.known {
        return;
    }
    let o = &sync.outbox;
    let mut line = crate::text::fill(tr(T::SyncStatus, l), &[&o.waiting, &o.sent, &o.rejected]);
    if let Some(at) = o.last_sent_at {
        line.push_str(" · ");
        line.push_str(&crate::text::fill(
            tr(T::SyncLastSent, l),
            &[&crate::export::iso_time(at)
                .replace('T', " ")
                .trim_end_matches('Z')],
        ));
    }
    ui.label(egui::RichText::new(line).small());
    if let Some(error) = &sync.error {
        let next = o
            .next_try_at
            .map(|t| crate::export::iso_time(t).replace('T', " "))
            .unwrap_or_default();
        ui.label(
            egui::RichText::new(crate::text::fill(tr(T::SyncRetry, l), &[error, &next]))
                .small()
                .color(theme::BAD),
        );
    }
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
