//! The briefing screen: who the customer is, the situation, the goals, and how to play.

use super::{key, root_ui, section, top_bar};
use crate::app::Screen;
use crate::app::library::Library;
use crate::app::portrait::portrait;
use crate::app::session::{Briefing, Intent, Mode, fresh_seed};
use crate::app::settings::Settings;
use crate::app::theme;
use crate::compile::Scenario;
use crate::text::{T, tr};
use crate::vocabulary::{Locale, Mood};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use std::sync::Arc;

pub struct BriefingScreenPlugin;

impl Plugin for BriefingScreenPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(
            EguiPrimaryContextPass,
            briefing_screen.run_if(in_state(Screen::Briefing)),
        );
    }
}

pub struct BriefingView {
    pub scenario: Arc<Scenario>,
    pub mode: Mode,
    pub seed: u64,
    pub locale: Locale,
}

fn briefing_screen(
    mut contexts: EguiContexts,
    library: Res<Library>,
    briefing: Res<Briefing>,
    settings: Res<Settings>,
    mut intents: MessageWriter<Intent>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut ui = root_ui(ctx);
    if let Some(intent) = top_bar(&mut ui, Screen::Briefing, settings.language) {
        intents.write(intent);
    }
    let scenario = briefing
        .path
        .as_deref()
        .and_then(|p| library.get(p))
        .and_then(|e| e.scenario.clone());
    let Some(scenario) = scenario else {
        intents.write(Intent::Navigate(Screen::Library));
        return Ok(());
    };
    let view = BriefingView {
        scenario,
        mode: briefing.mode,
        seed: briefing.seed,
        locale: settings.language,
    };
    if let Some(intent) = briefing_ui(&mut ui, &view) {
        intents.write(intent);
    }
    Ok(())
}

pub fn briefing_ui(ui: &mut egui::Ui, view: &BriefingView) -> Option<Intent> {
    let l = view.locale;
    let s = &view.scenario;
    let c = &s.file.customer;
    let mut intent = None;
    if key(ui.ctx(), egui::Key::Escape) {
        intent = Some(Intent::Navigate(Screen::Library));
    }
    if key(ui.ctx(), egui::Key::Enter) {
        intent = Some(Intent::Start);
    }
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.set_max_width(980.0);
            if ui.button(format!("← {}", tr(T::Back, l))).clicked() {
                intent = Some(Intent::Navigate(Screen::Library));
            }
            ui.heading(&s.file.title);
            ui.add_space(8.0);
            ui.horizontal_top(|ui| {
                let shown = (!s.drawn)
                    .then(|| s.personalities.first().copied())
                    .flatten();
                portrait(ui, shown, Mood::Neutral, 150.0);
                ui.vertical(|ui| {
                    section(ui, tr(T::Customer, l));
                    ui.label(egui::RichText::new(&c.name).strong().size(18.0));
                    ui.label(format!("{} · {}", c.role, c.company));
                    let personality = if s.drawn {
                        tr(T::PersonalityUnknown, l).to_string()
                    } else {
                        s.personalities
                            .iter()
                            .map(|p| p.name(l))
                            .collect::<Vec<_>>()
                            .join(" / ")
                    };
                    ui.label(format!("{}: {}", tr(T::Personality, l), personality));
                    ui.label(format!(
                        "{}: {} · {} {} · {}",
                        tr(T::Categories, l),
                        s.file
                            .categories
                            .iter()
                            .map(|c| c.name(l))
                            .collect::<Vec<_>>()
                            .join(", "),
                        s.file.minutes,
                        tr(T::Minutes, l),
                        "●".repeat(s.file.difficulty as usize)
                    ));
                });
            });
            section(ui, tr(T::Situation, l));
            ui.label(&c.brief);
            if !s.file.learning_goals.is_empty() {
                section(ui, tr(T::Goals, l));
                for g in &s.file.learning_goals {
                    ui.label(format!("• {g}"));
                }
            }
            section(ui, tr(T::Mode, l));
            for (mode, name, hint) in [
                (Mode::Practice, T::Practice, T::PracticeHint),
                (Mode::Assessment, T::Assessment, T::AssessmentHint),
            ] {
                ui.horizontal(|ui| {
                    if ui.radio(view.mode == mode, tr(name, l)).clicked() {
                        intent = Some(Intent::SetMode(mode));
                    }
                    ui.label(egui::RichText::new(tr(hint, l)).color(theme::MUTED));
                });
            }
            section(ui, tr(T::Seed, l));
            ui.horizontal(|ui| {
                let mut seed = view.seed;
                if ui
                    .add(egui::DragValue::new(&mut seed).range(0..=u32::MAX as u64))
                    .changed()
                {
                    intent = Some(Intent::SetSeed(seed));
                }
                if ui.button(tr(T::NewSeed, l)).clicked() {
                    intent = Some(Intent::SetSeed(fresh_seed()));
                }
            });
            ui.add_space(14.0);
            let start = egui::Button::new(
                egui::RichText::new(format!("{}  [{}]", tr(T::Start, l), tr(T::EnterKey, l)))
                    .size(18.0)
                    .color(egui::Color32::WHITE),
            )
            .fill(theme::ACCENT)
            .min_size(egui::vec2(160.0, 40.0));
            if ui.add(start).clicked() {
                intent = Some(Intent::Start);
            }
        });
    });
    intent
}
