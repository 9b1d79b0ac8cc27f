//! The progress screen: for the chosen trainee, the mastery map (personality × objection, from
//! their recent scores, with how many sessions each cell rests on), their scores over time,
//! and what to practise next with a scenario to open in one click.

use super::{root_ui, section, top_bar};
use crate::app::Screen;
use crate::app::library::Library;
use crate::app::session::Intent;
use crate::app::settings::Settings;
use crate::app::theme;
use crate::app::trainees::Trainees;
use crate::history::Progress;
use crate::text::{T, tr};
use crate::vocabulary::{Category, Locale, Personality};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui_plot::{Line, Plot, PlotPoints};

pub struct ProgressScreenPlugin;

impl Plugin for ProgressScreenPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(
            EguiPrimaryContextPass,
            progress_screen.run_if(in_state(Screen::Progress)),
        );
    }
}

/// A cell to practise next and a scenario that trains it, if the library has one.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub personality: Personality,
    pub category: Category,
    /// The scenario's file and title.
    pub scenario: Option<(String, String)>,
}

/// What the progress screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressView {
    pub trainee: Option<String>,
    pub progress: Option<Progress>,
    /// Each session's score, oldest first.
    pub scores: Vec<u32>,
    pub suggestions: Vec<Suggestion>,
    pub locale: Locale,
}

impl ProgressView {
    pub fn build(trainees: &Trainees, library: &Library, locale: Locale) -> ProgressView {
        let (scores, progress) = match &trainees.progress {
            Some((points, progress)) => (
                points.iter().map(|p| p.score).collect(),
                Some(progress.clone()),
            ),
            None => (Vec::new(), None),
        };
        let suggestions = progress
            .as_ref()
            .map(|p| {
                p.practise_next
                    .iter()
                    .map(|&(personality, category)| Suggestion {
                        personality,
                        category,
                        scenario: scenario_for(library, personality, category, locale),
                    })
                    .collect()
            })
            .unwrap_or_default();
        ProgressView {
            trainee: trainees.current.clone(),
            progress,
            scores,
            suggestions,
            locale,
        }
    }
}

/// A scenario whose customer can be `personality` and whose central objection is of
/// `category`, in the interface language when there is one.
fn scenario_for(
    library: &Library,
    personality: Personality,
    category: Category,
    locale: Locale,
) -> Option<(String, String)> {
    let mut fitting: Vec<(&String, &std::sync::Arc<crate::Scenario>)> = library
        .scenarios()
        .filter(|(_, s)| {
            s.personalities.contains(&personality)
                && s.objections
                    .iter()
                    .any(|o| o.central && o.category == category)
        })
        .collect();
    fitting.sort_by_key(|(path, s)| (s.locale() != locale, (*path).clone()));
    fitting
        .first()
        .map(|(path, s)| ((*path).clone(), s.file.title.clone()))
}

fn progress_screen(
    mut contexts: EguiContexts,
    trainees: Res<Trainees>,
    library: Res<Library>,
    settings: Res<Settings>,
    mut intents: MessageWriter<Intent>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut ui = root_ui(ctx);
    if let Some(intent) = top_bar(&mut ui, Screen::Progress, settings.language) {
        intents.write(intent);
    }
    let view = ProgressView::build(&trainees, &library, settings.language);
    if let Some(intent) = progress_ui(&mut ui, &view) {
        intents.write(intent);
    }
    Ok(())
}

/// The colour of a mastery cell: red for weak, green for strong, grey when never tried.
fn cell_colour(mean: Option<f64>) -> egui::Color32 {
    match mean {
        None => egui::Color32::from_rgb(0xee, 0xee, 0xee),
        Some(m) => {
            let t = (m / 100.0).clamp(0.0, 1.0) as f32;
            let lerp = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * t) as u8;
            egui::Color32::from_rgb(lerp(0xf2, 0xc8), lerp(0xc4, 0xe6), lerp(0xc4, 0xc9))
        }
    }
}

pub fn progress_ui(ui: &mut egui::Ui, view: &ProgressView) -> Option<Intent> {
    let l = view.locale;
    let mut intent = None;
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.heading(match &view.trainee {
                Some(name) => format!("{} — {name}", tr(T::Progress, l)),
                None => tr(T::Progress, l).to_string(),
            });
            let (Some(_), Some(progress)) = (&view.trainee, &view.progress) else {
                ui.add_space(12.0);
                ui.label(if view.trainee.is_none() {
                    tr(T::ChooseTraineeFirst, l)
                } else {
                    tr(T::NoSessionsYet, l)
                });
                return;
            };
            section(ui, tr(T::MasteryMap, l));
            ui.label(
                egui::RichText::new(tr(T::MasteryHint, l))
                    .small()
                    .color(theme::MUTED),
            );
            egui::Grid::new("mastery")
                .spacing([4.0, 4.0])
                .show(ui, |ui| {
                    ui.label("");
                    for c in Category::ALL {
                        ui.label(egui::RichText::new(c.name(l)).small());
                    }
                    ui.end_row();
                    for p in Personality::ALL {
                        ui.label(egui::RichText::new(p.name(l)).small());
                        for c in Category::ALL {
                            let cell = progress.map[p.index()][c.index()];
                            let text = match cell.mean {
                                Some(m) => format!("{m:.0} ({})", cell.sessions),
                                None => "–".to_string(),
                            };
                            egui::Frame::NONE
                                .fill(cell_colour(cell.mean))
                                .inner_margin(egui::Margin::symmetric(8, 4))
                                .show(ui, |ui| {
                                    ui.set_min_width(80.0);
                                    ui.label(egui::RichText::new(text).color(egui::Color32::BLACK));
                                });
                        }
                        ui.end_row();
                    }
                });

            section(ui, tr(T::PractiseNext, l));
            for s in &view.suggestions {
                ui.horizontal(|ui| {
                    ui.label(format!(
                        "{} × {}",
                        s.personality.name(l),
                        s.category.name(l)
                    ));
                    if let Some((path, title)) = &s.scenario {
                        ui.label(egui::RichText::new(title).color(theme::MUTED));
                        if ui.button(tr(T::OpenScenario, l)).clicked() {
                            intent = Some(Intent::OpenScenario(path.clone()));
                        }
                    }
                });
            }

            if !view.scores.is_empty() {
                section(ui, tr(T::ScoreTrend, l));
                let points: Vec<[f64; 2]> = view
                    .scores
                    .iter()
                    .enumerate()
                    .map(|(i, &s)| [(i + 1) as f64, s as f64])
                    .collect();
                Plot::new("score-trend")
                    .height(180.0)
                    .include_y(0.0)
                    .include_y(100.0)
                    .allow_drag(false)
                    .allow_zoom(false)
                    .allow_scroll(false)
                    .x_axis_label(tr(T::Session, l))
                    .y_axis_label(tr(T::Score, l))
                    .show(ui, |plot| {
                        plot.line(
                            Line::new(tr(T::Score, l), PlotPoints::from(points))
                                .color(theme::ACCENT),
                        );
                    });
            }
        });
    });
    intent
}
