//! The account screen: one customer over several visits — trust and stage on one time axis,
//! each visit's score, the promises made, kept and broken, objections carried over, the
//! account score with its rules, and the next visit to start.

use super::{root_ui, section, top_bar};
use crate::account::{AccountReport, NextStep};
use crate::app::Screen;
use crate::app::accounts::Accounts;
use crate::app::session::Intent;
use crate::app::settings::Settings;
use crate::app::theme;
use crate::text::{T, fill, tr};
use crate::vocabulary::{Locale, Personality, Stage};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};
use egui_plot::{HLine, Line, Plot, PlotPoints};

pub struct AccountScreenPlugin;

impl Plugin for AccountScreenPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(
            EguiPrimaryContextPass,
            account_screen.run_if(in_state(Screen::Account)),
        );
    }
}

/// What the account screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountView {
    pub title: String,
    pub customer: String,
    pub personality: Personality,
    pub summary: String,
    pub trainee: Option<String>,
    pub report: AccountReport,
    pub next: Option<NextStep>,
    /// The trust each stage needs, for the lines on the chart.
    pub thresholds: Vec<(Stage, i32)>,
    pub notice: Option<String>,
    pub locale: Locale,
}

impl AccountView {
    pub fn build(accounts: &Accounts, locale: Locale) -> Option<AccountView> {
        let active = accounts.active.as_ref()?;
        let account = active.run.account();
        let next = active.run.next_step(locale);
        let model = &account.model;
        Some(AccountView {
            title: account.file.title.clone(),
            customer: account.file.customer.clone(),
            personality: account.file.personality,
            summary: account.file.summary.clone(),
            trainee: active.trainee.clone(),
            report: active.run.report(),
            next,
            thresholds: Stage::ALL
                .iter()
                .skip(1)
                .map(|s| (*s, model.stage_rules[s.index()].0))
                .collect(),
            notice: accounts.notice.clone(),
            locale,
        })
    }
}

fn account_screen(
    mut contexts: EguiContexts,
    accounts: Res<Accounts>,
    settings: Res<Settings>,
    mut intents: MessageWriter<Intent>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut ui = root_ui(ctx);
    if let Some(intent) = top_bar(&mut ui, Screen::Account, settings.language) {
        intents.write(intent);
    }
    let l = settings.language;
    match AccountView::build(&accounts, l) {
        Some(view) => {
            if let Some(intent) = account_ui(&mut ui, &view) {
                intents.write(intent);
            }
        }
        None => {
            egui::CentralPanel::default().show(&mut ui, |ui| {
                ui.add_space(20.0);
                if accounts.opening.is_some() {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(tr(T::OpeningAccount, l));
                    });
                } else {
                    ui.label(
                        accounts
                            .notice
                            .as_deref()
                            .unwrap_or(tr(T::NoAccountOpen, l)),
                    );
                    if ui.button(tr(T::BackToLibrary, l)).clicked() {
                        intents.write(Intent::Navigate(Screen::Library));
                    }
                }
            });
        }
    }
    Ok(())
}

pub fn account_ui(ui: &mut egui::Ui, view: &AccountView) -> Option<Intent> {
    let l = view.locale;
    let r = &view.report;
    let mut intent = None;

    // What comes next, always in sight at the bottom: one line and the button.
    egui::Panel::bottom("account-next")
        .resizable(false)
        .frame(
            egui::Frame::NONE
                .fill(theme::PANEL)
                .inner_margin(egui::Margin::symmetric(16, 10)),
        )
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let (text, button, wanted) = match &view.next {
                    Some(next) => (
                        fill(tr(T::AccountNext, l), &[&next.title, &next.day]),
                        tr(
                            if next.interlude {
                                T::StartInterlude
                            } else {
                                T::StartVisit
                            },
                            l,
                        ),
                        Intent::StartAccountStep,
                    ),
                    None => (
                        fill(tr(T::AccountComplete, l), &[&r.score.total]),
                        tr(T::AccountAgain, l),
                        Intent::RestartAccount,
                    ),
                };
                ui.label(egui::RichText::new(text).strong().size(18.0));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui
                        .add(egui::Button::new(
                            egui::RichText::new(button).strong().size(18.0),
                        ))
                        .clicked()
                    {
                        intent = Some(wanted);
                    }
                });
            });
        });

    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading(&view.title);
                ui.label(
                    egui::RichText::new(format!(
                        "{} · {}",
                        view.customer,
                        view.personality.name(l)
                    ))
                    .color(theme::MUTED),
                );
                if let Some(t) = &view.trainee {
                    ui.label(
                        egui::RichText::new(format!("· {} {t}", tr(T::Trainee, l)))
                            .color(theme::MUTED),
                    );
                }
            });
            ui.label(&view.summary);
            if let Some(n) = &view.notice {
                ui.label(egui::RichText::new(n).color(theme::BAD));
            }

            // The next step's situation first: the trainee reads it before starting.
            if let Some(next) = &view.next {
                section(ui, &fill(tr(T::AccountNext, l), &[&next.title, &next.day]));
                if !next.note.is_empty() {
                    ui.label(egui::RichText::new(&next.note).italics());
                }
                if next.cooled > 0 {
                    ui.label(
                        egui::RichText::new(fill(
                            tr(
                                if next.stage_falls {
                                    T::AccountCoolsAndFalls
                                } else {
                                    T::AccountCools
                                },
                                l,
                            ),
                            &[&next.cooled],
                        ))
                        .color(theme::BAD),
                    );
                }
                ui.label(egui::RichText::new(&next.brief).color(theme::MUTED));
            }

            if !r.steps.is_empty() {
                section(ui, tr(T::AccountOverTime, l));
                account_chart(ui, view);
            }

            section(ui, tr(T::AccountSteps, l));
            if r.steps.is_empty() {
                ui.label(tr(T::AccountNotStarted, l));
            }
            egui::Grid::new("account-steps")
                .striped(true)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    for (i, s) in r.steps.iter().enumerate() {
                        ui.label(format!("{}.", i + 1));
                        ui.label(fill(tr(T::Day, l), &[&s.day]));
                        ui.label(egui::RichText::new(&s.title).strong());
                        ui.label(format!("{} {}/100", tr(T::Score, l), s.score));
                        ui.label(format!(
                            "{} {} → {}",
                            tr(T::Trust, l),
                            s.trust_start,
                            s.trust_end
                        ));
                        ui.label(s.stage_end.name(l));
                        let mut notes = Vec::new();
                        if s.cooled > 0 {
                            notes.push(fill(tr(T::AccountCooledBy, l), &[&s.cooled]));
                        }
                        notes.extend(
                            s.promises_made
                                .iter()
                                .map(|w| fill(tr(T::PromiseMadeLine, l), &[w])),
                        );
                        notes.extend(
                            s.promises_kept
                                .iter()
                                .map(|w| fill(tr(T::PromiseKeptLine, l), &[w])),
                        );
                        notes.extend(
                            s.promises_broken
                                .iter()
                                .map(|w| fill(tr(T::PromiseNotKept, l), &[w])),
                        );
                        ui.label(egui::RichText::new(notes.join(" · ")).small());
                        ui.end_row();
                    }
                });

            section(ui, tr(T::AccountPromises, l));
            ui.label(fill(
                tr(T::AccountRulePromisesDetail, l),
                &[&r.promises_made, &r.promises_kept, &r.promises_broken],
            ));
            for w in &r.promises_open {
                ui.label(fill(tr(T::PromiseOwed, l), &[w]));
            }
            if !r.objections_open.is_empty() {
                section(ui, tr(T::ObjectionsCarried, l));
                for o in &r.objections_open {
                    ui.label(format!("• {o}"));
                }
            }

            section(
                ui,
                &format!("{} {}/100", tr(T::AccountScore, l), r.score.total),
            );
            egui::Grid::new("account-rules")
                .spacing([12.0, 2.0])
                .show(ui, |ui| {
                    for rule in &r.score.rules {
                        ui.label(format!("{}/{}", rule.points, rule.max));
                        ui.label(egui::RichText::new(&rule.rule).strong());
                        ui.label(egui::RichText::new(&rule.detail).color(theme::MUTED));
                        ui.end_row();
                    }
                });
            ui.add_space(8.0);
            if ui.button(tr(T::BackToLibrary, l)).clicked() {
                intent = Some(Intent::Navigate(Screen::Library));
            }
        });
    });
    intent
}

/// Trust over the days of the account, with the trust each stage needs as lines, and the
/// stage reached after each step.
fn account_chart(ui: &mut egui::Ui, view: &AccountView) {
    let l = view.locale;
    let trust: Vec<[f64; 2]> = view
        .report
        .timeline
        .iter()
        .map(|(day, trust, _)| [*day as f64, *trust as f64])
        .collect();
    // The stage as the trust its rung needs, on the same axis: a step line, since the stage
    // changes only at a contact.
    let needed = |stage: &Stage| {
        view.thresholds
            .iter()
            .find(|(s, _)| s == stage)
            .map_or(0, |(_, t)| *t) as f64
    };
    let mut stage: Vec<[f64; 2]> = Vec::new();
    for (day, _, s) in &view.report.timeline {
        if let Some(&[_, before]) = stage.last() {
            stage.push([*day as f64, before]);
        }
        stage.push([*day as f64, needed(s)]);
    }
    let last_day = view.report.timeline.last().map_or(0, |t| t.0) as f64;
    Plot::new("account-trust")
        .height(200.0)
        .include_y(0.0)
        .include_y(100.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .x_axis_label(tr(T::Days, l))
        .y_axis_label(tr(T::Trust, l))
        .include_x(last_day + 1.0)
        .legend(egui_plot::Legend::default().position(egui_plot::Corner::LeftTop))
        .show(ui, |plot| {
            // The trust each stage needs, named at the right end of its line.
            for (s, t) in &view.thresholds {
                plot.hline(
                    HLine::new("", *t as f64)
                        .color(egui::Color32::from_gray(0xc8))
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
                plot.text(
                    egui_plot::Text::new(
                        "",
                        egui_plot::PlotPoint::new(last_day + 1.0, *t as f64),
                        egui::RichText::new(s.name(l)).small().color(theme::MUTED),
                    )
                    .anchor(egui::Align2::RIGHT_BOTTOM),
                );
            }
            plot.line(
                Line::new(tr(T::Relationship, l), PlotPoints::from(stage))
                    .color(theme::GOOD)
                    .width(2.0),
            );
            plot.line(
                Line::new(tr(T::Trust, l), PlotPoints::from(trust))
                    .color(theme::ACCENT)
                    .width(2.5),
            );
        });
}
