//! The settings screen: interface language, text size, presentation mode, scenario folder.

use super::{key, root_ui, section, top_bar};
use crate::app::Screen;
use crate::app::session::Intent;
use crate::app::settings::{Settings, SettingsStore, TEXT_SCALES};
use crate::app::strings::{T, tr};
use crate::app::theme;
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
    pub problem: Option<String>,
}

fn settings_screen(
    mut contexts: EguiContexts,
    settings: Res<Settings>,
    store: Res<SettingsStore>,
    mut draft: Local<Option<String>>,
    mut intents: MessageWriter<Intent>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut ui = root_ui(ctx);
    if let Some(intent) = top_bar(&mut ui, Screen::Settings, settings.language) {
        intents.write(intent);
    }
    let active_folder = crate::app::find_folder("scenarios")
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let view = SettingsView {
        settings: settings.clone(),
        active_folder,
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
            for (locale, name) in [(Locale::En, "English"), (Locale::ZhCn, "简体中文")] {
                if ui.radio(s.language == locale, name).clicked() {
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
        if s.scenario_folder.as_deref().unwrap_or("") != view.active_folder
            && s.scenario_folder.is_some()
        {
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
