//! The debrief screen: outcome and score with its rules, trust over the conversation, each
//! objection, each decision against the best choice there, the transcript, and what next.

use super::{key, root_ui, section, top_bar};
use crate::app::Screen;
use crate::app::session::{ActiveSession, ExportFormat, Intent};
use crate::app::settings::Settings;
use crate::app::theme;
use crate::debrief::{Debrief, Speaker};
use crate::text::{T, tr};
use crate::vocabulary::{Locale, Outcome, Personality};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui_plot::{Line, Plot, PlotPoints, Points};

pub struct DebriefScreenPlugin;

impl Plugin for DebriefScreenPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(
            EguiPrimaryContextPass,
            debrief_screen.run_if(in_state(Screen::Debrief)),
        );
    }
}

pub struct DebriefView<'a> {
    pub debrief: &'a Debrief,
    /// Personalities the trainee can try next (all but the one just played).
    pub other_personalities: Vec<Personality>,
    pub notice: Option<String>,
    /// Presentation mode with the score not yet revealed.
    pub hide_score: bool,
    /// A step of an account: it goes back to the account instead of being replayed.
    pub account_step: bool,
    pub locale: Locale,
    /// How the class voted, by the index of the decision (a class vote's session).
    pub class_splits: Vec<(usize, crate::classvote::ClassSplit)>,
}

fn debrief_screen(
    mut contexts: EguiContexts,
    active: Res<ActiveSession>,
    settings: Res<Settings>,
    class: Res<crate::app::classvote::ClassVote>,
    mut intents: MessageWriter<Intent>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut ui = root_ui(ctx);
    if let Some(intent) = top_bar(&mut ui, Screen::Debrief, settings.language) {
        intents.write(intent);
    }
    let Some(run) = &active.current else {
        intents.write(Intent::Navigate(Screen::Library));
        return Ok(());
    };
    let Some(debrief) = &run.debrief else {
        intents.write(Intent::Navigate(Screen::RolePlay));
        return Ok(());
    };
    let view = DebriefView {
        debrief,
        other_personalities: Personality::ALL
            .iter()
            .copied()
            .filter(|p| *p != debrief.report.personality)
            .collect(),
        notice: active.notice.clone(),
        hide_score: settings.presentation && !run.revealed,
        account_step: run.account_step,
        locale: settings.language,
        class_splits: class.splits.clone(),
    };
    if let Some(intent) = debrief_ui(&mut ui, &view) {
        intents.write(intent);
    }
    Ok(())
}

fn outcome_color(o: Outcome) -> egui::Color32 {
    match o {
        Outcome::Deal => theme::GOOD,
        Outcome::NextStep => theme::ACCENT,
        Outcome::Stalled => egui::Color32::from_rgb(0xb0, 0x7a, 0x1c),
        Outcome::LostRelationship => theme::BAD,
    }
}

pub fn debrief_ui(ui: &mut egui::Ui, view: &DebriefView) -> Option<Intent> {
    let l = view.locale;
    let d = view.debrief;
    let r = &d.report;
    let mut intent = None;
    if key(ui.ctx(), egui::Key::R) {
        intent = Some(Intent::Reveal(view.hide_score));
    }
    if key(ui.ctx(), egui::Key::Escape) {
        intent = Some(Intent::Navigate(Screen::Library));
    }

    egui::Panel::bottom("debrief-actions")
        .frame(egui::Frame::NONE.fill(theme::PANEL).inner_margin(10))
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                if view.account_step {
                    if ui
                        .button(egui::RichText::new(tr(T::BackToAccount, l)).strong())
                        .clicked()
                    {
                        intent = Some(Intent::Navigate(Screen::Account));
                    }
                } else {
                    if ui.button(tr(T::ReplaySameSeed, l)).clicked() {
                        intent = Some(Intent::Replay);
                    }
                    ui.label(tr(T::TryAnotherPersonality, l));
                    for p in &view.other_personalities {
                        if ui.button(p.name(l)).clicked() {
                            intent = Some(Intent::TryPersonality(*p));
                        }
                    }
                }
                ui.separator();
                if ui.button(tr(T::ExportMarkdown, l)).clicked() {
                    intent = Some(Intent::Export(ExportFormat::Markdown));
                }
                if ui.button(tr(T::ExportJson, l)).clicked() {
                    intent = Some(Intent::Export(ExportFormat::Json));
                }
                if ui.button(tr(T::Library, l)).clicked() {
                    intent = Some(Intent::Navigate(Screen::Library));
                }
            });
            if let Some(notice) = &view.notice {
                ui.label(egui::RichText::new(notice).small().color(theme::MUTED));
            }
        });

    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.heading(format!("{} — {}", tr(T::Debrief, l), r.title));
                ui.horizontal(|ui| {
                    ui.label(
                        egui::RichText::new(r.outcome.name(l))
                            .size(22.0)
                            .strong()
                            .color(outcome_color(r.outcome)),
                    );
                    ui.label(egui::RichText::new(&r.ending_title).size(18.0));
                });
                if view.hide_score {
                    ui.label(
                        egui::RichText::new(format!(
                            "{} — {} (R)",
                            tr(T::Score, l),
                            tr(T::Reveal, l)
                        ))
                        .color(theme::MUTED),
                    );
                } else {
                    ui.label(
                        egui::RichText::new(format!("{} {}/100", tr(T::Score, l), r.score.total))
                            .size(30.0)
                            .strong()
                            .color(theme::ACCENT),
                    );
                }
                ui.label(format!(
                    "{}: {} · {}: {} → {} ({} {}) · {}: {} → {} · {}: {}",
                    tr(T::Personality, l),
                    r.personality.name(l),
                    tr(T::Trust, l),
                    r.trust_start,
                    r.trust_end,
                    tr(T::Peak, l),
                    r.trust_peak,
                    tr(T::Relationship, l),
                    r.stage_start.name(l),
                    r.stage_end.name(l),
                    tr(T::Seed, l),
                    r.seed
                ));
                if let Some((guess, correct)) = r.diagnosis {
                    ui.label(format!(
                        "{}: {} ({})",
                        tr(T::Diagnosis, l),
                        guess.name(l),
                        tr(if correct { T::Right } else { T::Wrong }, l)
                    ));
                }
                ui.add_space(6.0);
                ui.label(&r.debrief);

                ui.columns(2, |cols| {
                    let ui = &mut cols[0];
                    section(ui, tr(T::ScoreRules, l));
                    for rule in &r.score.rules {
                        let points = if view.hide_score {
                            "–".to_string()
                        } else {
                            format!("{}/{}", rule.points, rule.max)
                        };
                        // The detail wraps inside its column rather than running under the plot.
                        ui.horizontal(|ui| {
                            ui.label(egui::RichText::new(points).strong());
                            ui.add(
                                egui::Label::new(egui::RichText::new(&rule.detail).small()).wrap(),
                            );
                        });
                    }
                    let ui = &mut cols[1];
                    section(ui, tr(T::TrustOverTime, l));
                    let points: Vec<[f64; 2]> = r
                        .trust_timeline
                        .iter()
                        .enumerate()
                        .map(|(i, t)| [i as f64, *t as f64])
                        .collect();
                    Plot::new("trust-plot")
                        .height(180.0)
                        .include_y(0.0)
                        .include_y(100.0)
                        .allow_drag(false)
                        .allow_zoom(false)
                        .allow_scroll(false)
                        .x_axis_label(tr(T::Step, l))
                        .y_axis_label(tr(T::Trust, l))
                        .show(ui, |plot| {
                            plot.line(
                                Line::new(tr(T::Trust, l), PlotPoints::from(points.clone()))
                                    .color(theme::ACCENT)
                                    .width(2.5),
                            );
                            plot.points(
                                Points::new("", PlotPoints::from(points))
                                    .radius(3.5)
                                    .color(theme::ACCENT),
                            );
                        });
                });

                if !r.objections.is_empty() {
                    section(ui, tr(T::Objections, l));
                    egui::Grid::new("objections")
                        .striped(true)
                        .num_columns(4)
                        .max_col_width(ui.available_width() * 0.4)
                        .show(ui, |ui| {
                            ui.label(egui::RichText::new(tr(T::Objections, l)).strong());
                            ui.label(egui::RichText::new(tr(T::Status, l)).strong());
                            ui.label(egui::RichText::new(tr(T::Timing, l)).strong());
                            ui.label(egui::RichText::new(tr(T::Method, l)).strong());
                            ui.end_row();
                            for o in &r.objections {
                                ui.add(
                                    egui::Label::new(format!(
                                        "{} · {}{}",
                                        o.category.name(l),
                                        o.subtype,
                                        o.excuse
                                            .map(|e| format!(
                                                " ({})",
                                                tr(
                                                    if e {
                                                        T::ObjectionExcuse
                                                    } else {
                                                        T::ObjectionReal
                                                    },
                                                    l
                                                )
                                            ))
                                            .unwrap_or_default()
                                    ))
                                    .wrap(),
                                );
                                ui.label(o.status.name(l));
                                let timing = o.timing.map(|t| t.name(l)).unwrap_or("—");
                                ui.label(egui::RichText::new(timing).color(if o.timing_right {
                                    theme::GOOD
                                } else {
                                    theme::MUTED
                                }));
                                ui.add(egui::Label::new(o.method_names.join(", ")).wrap());
                                ui.end_row();
                            }
                        });
                }

                section(ui, tr(T::Decisions, l));
                if !d.reviewed {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(tr(T::Reviewing, l));
                    });
                } else if !d.exact {
                    ui.add(egui::Label::new(tr(T::TooLargeToReview, l)).wrap());
                }
                for (i, dec) in d.decisions.iter().enumerate() {
                    let mark = if dec.was_best { "✓" } else { "×" };
                    let color = if dec.was_best {
                        theme::GOOD
                    } else {
                        theme::BAD
                    };
                    ui.label(
                        egui::RichText::new(format!(
                            "{}. {} {}: {}",
                            i + 1,
                            mark,
                            tr(T::YouChose, l),
                            dec.chosen
                        ))
                        .color(color),
                    );
                    if !dec.was_best {
                        let mut text = format!(
                            "    {}: {} ({}/100)",
                            tr(T::BestHere, l),
                            dec.best_choice,
                            dec.best_score
                        );
                        if let Some((title, outcome)) = &dec.best_ending {
                            text.push_str(&format!(
                                " — {} {} ({})",
                                tr(T::WouldLeadTo, l),
                                title,
                                outcome.name(l)
                            ));
                        }
                        ui.label(egui::RichText::new(text).small());
                    }
                    if let Some((_, split)) = view.class_splits.iter().find(|(d, _)| *d == i) {
                        class_split(ui, split, dec, view.hide_score, l);
                    }
                }

                section(ui, tr(T::StyleFit, l));
                ui.horizontal_wrapped(|ui| {
                    for fit in &r.style_fit {
                        ui.label(format!(
                            "{} {:+} ({} ✓ {} ×)",
                            fit.personality.name(l),
                            fit.trust_effect,
                            fit.suited,
                            fit.unsuited
                        ));
                        ui.separator();
                    }
                });

                egui::CollapsingHeader::new(tr(T::Transcript, l))
                    .default_open(false)
                    .show(ui, |ui| {
                        for line in &d.transcript {
                            let who = match line.speaker {
                                Speaker::Customer => d.customer.clone(),
                                Speaker::Trainee => tr(T::You, l).to_string(),
                                Speaker::Coach => tr(T::Coach, l).to_string(),
                                Speaker::Narrator => "—".to_string(),
                            };
                            ui.label(format!("{who}: {}", line.text));
                        }
                    });
            });
    });
    intent
}

/// How the class voted on one decision, beside how each option scores and the best line.
fn class_split(
    ui: &mut egui::Ui,
    split: &crate::classvote::ClassSplit,
    dec: &crate::debrief::DecisionReview,
    hide_score: bool,
    l: Locale,
) {
    let voters = split.voters().max(1);
    let played = split.leaders();
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(
            egui::RichText::new(format!(
                "{} ({})",
                tr(T::ClassSplitHeading, l),
                split.voters()
            ))
            .small()
            .strong(),
        );
        for (k, option) in split.options.iter().enumerate() {
            let count = split.counts.get(k).copied().unwrap_or(0);
            let score = dec
                .options
                .iter()
                .find(|(text, _)| text == option)
                .map(|(_, v)| *v);
            let mut line = format!(
                "{}. {:>3}% ({count})  {}",
                k + 1,
                count * 100 / voters,
                option
            );
            if let Some(score) = score.filter(|_| !hide_score) {
                line.push_str(&format!(
                    " — {}",
                    crate::text::fill(tr(T::OptionScore, l), &[&score])
                ));
            }
            let mut marks = Vec::new();
            if played.len() == 1 && played[0] == k {
                marks.push(tr(T::ClassChose, l));
            }
            if !hide_score && *option == dec.best_choice {
                marks.push(tr(T::ClassBestLine, l));
            }
            if !marks.is_empty() {
                let (open, sep, close) = match l {
                    Locale::ZhCn => ("【", "、", "】"),
                    Locale::En => ("[", ", ", "]"),
                };
                line.push_str(&format!("  {open}{}{close}", marks.join(sep)));
            }
            let best = *option == dec.best_choice && !hide_score;
            ui.label(egui::RichText::new(line).small().color(if best {
                theme::GOOD
            } else {
                ui.visuals().text_color()
            }));
        }
    });
}
