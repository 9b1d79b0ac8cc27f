//! The progress screen: for the chosen trainee, the mastery map (personality × objection, from
//! their recent scores, with how many sessions each cell rests on), their scores and trust over
//! time, each technique's uses and effect per personality, their most frequent mistakes, their
//! accounts, and what to practise next with a scenario to open in one click.

use super::{root_ui, section, top_bar};
use crate::app::Screen;
use crate::app::library::Library;
use crate::app::session::Intent;
use crate::app::settings::Settings;
use crate::app::theme;
use crate::app::trainees::Trainees;
use crate::history::Progress;
use crate::text::{T, fill, tr};
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
    /// Each session's trust at its end, where known.
    pub trust: Vec<Option<i32>>,
    pub suggestions: Vec<Suggestion>,
    /// Per technique (named in the interface language): uses and total trust per personality
    /// (by `Personality::ALL`), and whether it is a mistake.
    pub techniques: Vec<TechniqueRow>,
    /// The mistakes made most often, most frequent first: name and times.
    pub mistakes: Vec<(String, u32)>,
    /// The trainee's accounts: title, steps taken, stage, score so far, finished.
    pub accounts: Vec<AccountLine>,
    /// Where the last export went.
    pub exported: Option<String>,
    pub locale: Locale,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TechniqueRow {
    pub name: String,
    pub mistake: bool,
    pub per_personality: [(u32, i32); 4],
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccountLine {
    pub title: String,
    pub steps: usize,
    pub stage: crate::vocabulary::Stage,
    pub score: u32,
    pub finished: bool,
}

/// The technique table and the most frequent mistakes from the trainee's technique uses.
pub fn technique_rows(
    uses: &[crate::history::TechniqueUse],
    model: &crate::model::Model,
    locale: Locale,
) -> (Vec<TechniqueRow>, Vec<(String, u32)>) {
    let mut rows: Vec<(String, TechniqueRow)> = Vec::new();
    for u in uses {
        let name = model
            .technique(&u.technique)
            .map(|t| model.technique_def(t).name.get(locale).to_string())
            .unwrap_or_else(|| u.technique.clone());
        let at = match rows.iter().position(|(id, _)| *id == u.technique) {
            Some(i) => i,
            None => {
                rows.push((
                    u.technique.clone(),
                    TechniqueRow {
                        name,
                        mistake: u.mistake,
                        per_personality: [(0, 0); 4],
                    },
                ));
                rows.len() - 1
            }
        };
        let cell = &mut rows[at].1.per_personality[u.personality.index()];
        cell.0 += u.uses;
        cell.1 += u.trust;
    }
    let total = |r: &TechniqueRow| r.per_personality.iter().map(|c| c.0).sum::<u32>();
    let mut mistakes: Vec<(String, u32)> = rows
        .iter()
        .filter(|(_, r)| r.mistake)
        .map(|(_, r)| (r.name.clone(), total(r)))
        .collect();
    mistakes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    mistakes.truncate(5);
    let mut table: Vec<TechniqueRow> = rows.into_iter().map(|(_, r)| r).collect();
    table.sort_by(|a, b| a.mistake.cmp(&b.mistake).then(total(b).cmp(&total(a))));
    (table, mistakes)
}

impl ProgressView {
    pub fn build(trainees: &Trainees, library: &Library, locale: Locale) -> ProgressView {
        let (scores, trust, progress) = match &trainees.progress {
            Some((points, progress)) => (
                points.iter().map(|p| p.score).collect(),
                points.iter().map(|p| p.trust).collect(),
                Some(progress.clone()),
            ),
            None => (Vec::new(), Vec::new(), None),
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
        let (techniques, mistakes) = technique_rows(
            &trainees.techniques,
            &crate::model::Model::builtin(),
            locale,
        );
        let accounts = trainees
            .accounts
            .iter()
            .map(|a| AccountLine {
                title: a.record.title.clone(),
                steps: a.record.steps.len(),
                stage: a.record.stage,
                score: a.record.score,
                finished: a.record.finished,
            })
            .collect();
        ProgressView {
            trainee: trainees.current.clone(),
            progress,
            scores,
            trust,
            suggestions,
            techniques,
            mistakes,
            accounts,
            exported: trainees.exported.as_ref().map(|p| p.display().to_string()),
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
pub fn cell_colour(mean: Option<f64>) -> egui::Color32 {
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
            ui.horizontal(|ui| {
                if ui.button(tr(T::ExportHistoryCsv, l)).clicked() {
                    intent = Some(Intent::ExportHistory(true));
                }
                if ui.button(tr(T::ExportHistoryJson, l)).clicked() {
                    intent = Some(Intent::ExportHistory(false));
                }
                if let Some(path) = &view.exported {
                    ui.label(
                        egui::RichText::new(format!("{}: {path}", tr(T::Exported, l)))
                            .small()
                            .color(theme::MUTED),
                    );
                }
            });
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

            if !view.accounts.is_empty() {
                section(ui, tr(T::YourAccounts, l));
                egui::Grid::new("progress-accounts")
                    .spacing([12.0, 2.0])
                    .show(ui, |ui| {
                        for a in &view.accounts {
                            ui.label(egui::RichText::new(&a.title).strong());
                            ui.label(a.stage.name(l));
                            ui.label(if a.finished {
                                fill(tr(T::AccountStatusDone, l), &[&a.score])
                            } else {
                                fill(
                                    tr(T::AccountStatusUnderWay, l),
                                    &[&a.steps, &a.stage.name(l)],
                                )
                            });
                            ui.end_row();
                        }
                    });
            }

            if !view.techniques.is_empty() {
                section(ui, tr(T::Techniques, l));
                ui.label(
                    egui::RichText::new(tr(T::TechniquesHint, l))
                        .small()
                        .color(theme::MUTED),
                );
                egui::Grid::new("progress-techniques")
                    .striped(true)
                    .spacing([10.0, 2.0])
                    .show(ui, |ui| {
                        ui.label("");
                        for p in Personality::ALL {
                            ui.label(egui::RichText::new(p.name(l)).small());
                        }
                        ui.end_row();
                        for row in &view.techniques {
                            let name = egui::RichText::new(&row.name);
                            ui.label(if row.mistake {
                                name.color(theme::BAD)
                            } else {
                                name
                            });
                            for (uses, trust) in row.per_personality {
                                if uses == 0 {
                                    ui.label("–");
                                } else {
                                    ui.label(
                                        egui::RichText::new(format!("{uses}× {trust:+}")).color(
                                            if trust < 0 { theme::BAD } else { theme::GOOD },
                                        ),
                                    );
                                }
                            }
                            ui.end_row();
                        }
                    });
                section(ui, tr(T::FrequentMistakes, l));
                if view.mistakes.is_empty() {
                    ui.label(tr(T::NoMistakes, l));
                }
                for (name, times) in &view.mistakes {
                    ui.label(format!(
                        "• {name} — {}",
                        fill(tr(T::TimesUsed, l), &[times])
                    ));
                }
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
                    .legend(egui_plot::Legend::default())
                    .show(ui, |plot| {
                        plot.line(
                            Line::new(tr(T::Score, l), PlotPoints::from(points))
                                .color(theme::ACCENT),
                        );
                        let trust: Vec<[f64; 2]> = view
                            .trust
                            .iter()
                            .enumerate()
                            .filter_map(|(i, t)| t.map(|t| [(i + 1) as f64, t as f64]))
                            .collect();
                        if !trust.is_empty() {
                            plot.line(
                                Line::new(tr(T::TrustAtEnd, l), PlotPoints::from(trust))
                                    .color(theme::GOOD),
                            );
                        }
                    });
            }
        });
    });
    intent
}
