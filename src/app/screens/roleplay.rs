//! The role-play screen: the customer, their line, the choices (buttons and keys 1–9), the
//! trust meter and relationship ladder, open objections, the diagnosis prompt, the transcript.

use super::{key, number_key, root_ui, section, top_bar};
use crate::app::Screen;
use crate::app::portrait::portrait;
use crate::app::session::{ActiveSession, Intent, Mode};
use crate::app::settings::Settings;
use crate::app::theme;
use crate::engine::{Event, ObjectionStatus, Prompt};
use crate::text::{T, tr};
use crate::vocabulary::{Category, Locale, Mood, Personality, Stage};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub struct RolePlayScreenPlugin;

impl Plugin for RolePlayScreenPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(
            EguiPrimaryContextPass,
            roleplay_screen.run_if(in_state(Screen::RolePlay)),
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    Customer,
    Trainee,
    Narrator,
    Coach,
    Note,
    Warning,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub speaker: Speaker,
    pub text: String,
}

/// What the role-play screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RolePlayView {
    pub title: String,
    pub customer: String,
    pub role: String,
    /// The portrait's personality: hidden (None) while a drawn one is undiagnosed.
    pub portrait: Option<Personality>,
    pub mood: Mood,
    pub trust: i32,
    pub stage: Stage,
    pub open_objections: Vec<(String, Category, ObjectionStatus)>,
    pub transcript: Vec<Line>,
    pub choices: Vec<String>,
    pub diagnose: Option<String>,
    pub ended: bool,
    pub can_undo: bool,
    pub outdated: bool,
    /// Scores and feedback visible (false in presentation mode until revealed).
    pub show_scores: bool,
    pub show_feedback: bool,
    pub presentation: bool,
    pub locale: Locale,
    /// The class vote, while one runs (the screen fills it in from `ClassVote`).
    pub class_vote: Option<crate::app::classvote::ClassVoteView>,
    /// Why the class vote could not start.
    pub class_vote_problem: Option<String>,
}

impl RolePlayView {
    pub fn build(active: &ActiveSession, settings: &Settings) -> Option<RolePlayView> {
        let run = active.current.as_ref()?;
        let session = &run.session;
        let scn = &run.scenario;
        let l = settings.language;
        let revealed = !settings.presentation || run.revealed;
        let show_feedback = run.mode == Mode::Practice && revealed;
        let show_scores = revealed;
        let mut mood = Mood::Neutral;
        let mut diagnosed = !scn.drawn;
        let mut transcript = Vec::new();
        for event in session.events() {
            match event {
                Event::CustomerSays { text, mood: m, .. } => {
                    mood = *m;
                    transcript.push(Line {
                        speaker: Speaker::Customer,
                        text: text.to_string(),
                    });
                }
                Event::TraineeSays { text, .. } => transcript.push(Line {
                    speaker: Speaker::Trainee,
                    text: text.to_string(),
                }),
                Event::ChanceHappened { note } => transcript.push(Line {
                    speaker: Speaker::Narrator,
                    text: note.to_string(),
                }),
                Event::ContactBegan {
                    contact,
                    days,
                    note,
                } => transcript.push(Line {
                    speaker: Speaker::Narrator,
                    text: crate::debrief::contact_line(l, *contact, *days, note),
                }),
                Event::Feedback { text, .. } if show_feedback => transcript.push(Line {
                    speaker: Speaker::Coach,
                    text: text.to_string(),
                }),
                Event::TrustChanged { from, to, reasons } if show_feedback && show_scores => {
                    let why: Vec<String> = reasons
                        .iter()
                        .map(|r| format!("{:+} {}", r.delta, r.why))
                        .collect();
                    transcript.push(Line {
                        speaker: Speaker::Note,
                        text: format!("{} {from} → {to}\n{}", tr(T::Trust, l), why.join("\n")),
                    });
                }
                Event::StageChanged { from, to } if show_scores => transcript.push(Line {
                    speaker: if to > from {
                        Speaker::Note
                    } else {
                        Speaker::Warning
                    },
                    text: format!(
                        "{}: {} → {}",
                        tr(T::Relationship, l),
                        from.name(l),
                        to.name(l)
                    ),
                }),
                Event::Breach { why } if show_feedback => transcript.push(Line {
                    speaker: Speaker::Warning,
                    text: why.clone(),
                }),
                Event::PromiseMade { what, .. } => transcript.push(Line {
                    speaker: Speaker::Note,
                    text: crate::text::fill(tr(T::PromiseMadeLine, l), &[what]),
                }),
                Event::PromiseKept { what, .. } if show_feedback => transcript.push(Line {
                    speaker: Speaker::Note,
                    text: crate::text::fill(tr(T::PromiseKeptLine, l), &[what]),
                }),
                Event::Diagnosed {
                    guess,
                    actual,
                    correct,
                } => {
                    diagnosed = true;
                    if show_feedback {
                        transcript.push(Line {
                            speaker: if *correct {
                                Speaker::Note
                            } else {
                                Speaker::Warning
                            },
                            text: format!(
                                "{}: {} — {} ({})",
                                tr(T::Diagnosis, l),
                                guess.name(l),
                                tr(if *correct { T::Right } else { T::Wrong }, l),
                                actual.name(l)
                            ),
                        });
                    }
                }
                Event::Ended { title, outcome, .. } => transcript.push(Line {
                    speaker: Speaker::Narrator,
                    text: format!("{} — {}", outcome.name(l), title),
                }),
                _ => {}
            }
        }
        let (choices, diagnose) = match session.prompt() {
            Prompt::Choices(list) => (list.into_iter().map(|(_, t)| t.to_string()).collect(), None),
            Prompt::Diagnose { prompt } => (
                Personality::ALL
                    .iter()
                    .map(|p| p.name(l).to_string())
                    .collect(),
                Some(if prompt.is_empty() {
                    tr(T::WhichPersonality, l).to_string()
                } else {
                    prompt.to_string()
                }),
            ),
            Prompt::Ended => (Vec::new(), None),
        };
        let open_objections = scn
            .objections
            .iter()
            .zip(&session.state().objections)
            .filter(|(_, t)| {
                matches!(
                    t.status,
                    ObjectionStatus::Open | ObjectionStatus::Answered | ObjectionStatus::Deferred
                )
            })
            .map(|(o, t)| (o.summary.clone(), o.category, t.status))
            .collect();
        Some(RolePlayView {
            title: scn.file.title.clone(),
            customer: scn.file.customer.name.clone(),
            role: format!("{} · {}", scn.file.customer.role, scn.file.customer.company),
            portrait: (diagnosed || session.is_ended()).then(|| session.personality()),
            mood,
            trust: session.state().trust,
            stage: session.state().stage,
            open_objections,
            transcript,
            choices,
            diagnose,
            ended: session.is_ended(),
            can_undo: run.mode == Mode::Practice && !run.history.is_empty(),
            outdated: run.outdated,
            show_scores,
            show_feedback,
            presentation: settings.presentation,
            locale: l,
            class_vote: None,
            class_vote_problem: None,
        })
    }
}

fn roleplay_screen(
    mut contexts: EguiContexts,
    active: Res<ActiveSession>,
    settings: Res<Settings>,
    class: Res<crate::app::classvote::ClassVote>,
    mut intents: MessageWriter<Intent>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut ui = root_ui(ctx);
    if let Some(intent) = top_bar(&mut ui, Screen::RolePlay, settings.language) {
        intents.write(intent);
    }
    let Some(mut view) = RolePlayView::build(&active, &settings) else {
        intents.write(Intent::Navigate(Screen::Library));
        return Ok(());
    };
    view.class_vote = class.view(settings.language);
    view.class_vote_problem = class.problem.clone();
    let revealed = active.current.as_ref().is_some_and(|r| r.revealed);
    if let Some(intent) = roleplay_ui(&mut ui, &view, revealed) {
        intents.write(intent);
    }
    Ok(())
}

/// The role-play screen's body. `revealed` is the presenter's reveal toggle.
pub fn roleplay_ui(ui: &mut egui::Ui, view: &RolePlayView, revealed: bool) -> Option<Intent> {
    let l = view.locale;
    let ctx = ui.ctx().clone();
    let mut intent = None;
    if let Some(i) = number_key(&ctx).filter(|i| *i < view.choices.len()) {
        intent = Some(Intent::Choose(i));
    }
    if view.can_undo && key(&ctx, egui::Key::Backspace) {
        intent = Some(Intent::Undo);
    }
    if view.presentation && key(&ctx, egui::Key::R) {
        intent = Some(Intent::Reveal(!revealed));
    }
    if view.ended && (key(&ctx, egui::Key::Enter) || key(&ctx, egui::Key::Space)) {
        intent = Some(Intent::ShowDebrief);
    }
    if key(&ctx, egui::Key::Escape) {
        intent = Some(Intent::Navigate(Screen::Briefing));
    }
    if let Some(vote) = &view.class_vote
        && let Some(i) = class_vote_panel(ui, vote, &view.choices)
    {
        intent = Some(i);
    }

    egui::Panel::left("roleplay-side")
        .resizable(false)
        .default_size(if view.presentation { 360.0 } else { 300.0 })
        .show(ui, |ui| {
            // On a 720-line projector in large type the side panel is taller than the
            // screen: the portrait gives way first, then the panel scrolls.
            let largest = if view.presentation { 220.0 } else { 190.0 };
            let portrait_size = (ui.available_height() * 0.3).clamp(110.0, largest);
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.add_space(8.0);
                ui.vertical_centered(|ui| {
                    portrait(ui, view.portrait, view.mood, portrait_size);
                    ui.label(egui::RichText::new(&view.customer).strong().size(18.0));
                    ui.label(egui::RichText::new(&view.role).small().color(theme::MUTED));
                });
                section(ui, tr(T::Trust, l));
                trust_meter(ui, view.trust, view.show_scores);
                section(ui, tr(T::Relationship, l));
                stage_ladder(ui, view.stage, l);
                if !view.open_objections.is_empty() {
                    section(ui, tr(T::OpenObjections, l));
                    for (summary, category, status) in &view.open_objections {
                        ui.label(
                            egui::RichText::new(format!(
                                "{} · {}",
                                category.name(l),
                                status.name(l)
                            ))
                            .small()
                            .strong(),
                        );
                        ui.label(egui::RichText::new(summary).small());
                    }
                }
                ui.add_space(10.0);
                ui.horizontal_wrapped(|ui| {
                    if view.can_undo && ui.button(tr(T::Undo, l).to_string()).clicked() {
                        intent = Some(Intent::Undo);
                    }
                    if ui.button(tr(T::Restart, l)).clicked() {
                        intent = Some(Intent::Restart);
                    }
                    if view.presentation {
                        let label = if revealed {
                            tr(T::Hide, l)
                        } else {
                            tr(T::Reveal, l)
                        };
                        if ui.button(format!("{label} (R)")).clicked() {
                            intent = Some(Intent::Reveal(!revealed));
                        }
                        if view.class_vote.is_none()
                            && !view.ended
                            && ui.button(tr(T::StartClassVote, l)).clicked()
                        {
                            intent = Some(Intent::StartClassVote);
                        }
                    }
                });
                if let Some(problem) = &view.class_vote_problem {
                    ui.label(egui::RichText::new(problem).small().color(theme::BAD));
                }
                ui.label(
                    egui::RichText::new(tr(T::Keys, l))
                        .small()
                        .color(theme::MUTED),
                );
            });
        });

    egui::Panel::bottom("roleplay-choices")
        .frame(egui::Frame::NONE.fill(theme::PANEL).inner_margin(12))
        .show(ui, |ui| {
            if view.outdated {
                ui.horizontal_wrapped(|ui| {
                    ui.label(egui::RichText::new(tr(T::ScenarioChanged, l)).color(theme::BAD));
                    if ui.button(tr(T::RestartOnNewVersion, l)).clicked() {
                        intent = Some(Intent::Restart);
                    }
                    if ui.button(tr(T::KeepPlaying, l)).clicked() {
                        intent = Some(Intent::KeepOutdated);
                    }
                });
            }
            if let Some(question) = &view.diagnose {
                ui.label(egui::RichText::new(question).strong());
            }
            if view.ended {
                ui.label(tr(T::Ended, l));
                let button = egui::Button::new(
                    egui::RichText::new(format!(
                        "{}  [{}]",
                        tr(T::ToDebrief, l),
                        tr(T::EnterKey, l)
                    ))
                    .color(egui::Color32::WHITE)
                    .size(17.0),
                )
                .fill(theme::ACCENT);
                if ui.add(button).clicked() {
                    intent = Some(Intent::ShowDebrief);
                }
            }
            // Long answers in large type would push the conversation off the screen: the
            // choices take at most half of it and scroll beyond that.
            let most = ctx.content_rect().height() * 0.5;
            egui::ScrollArea::vertical()
                .max_height(most)
                .min_scrolled_height(most)
                .show(ui, |ui| {
                    for (i, choice) in view.choices.iter().enumerate() {
                        let text = egui::RichText::new(format!("{}.  {}", i + 1, choice));
                        let button = egui::Button::new(text)
                            .wrap()
                            .min_size(egui::vec2(ui.available_width(), 34.0));
                        if ui.add(button).clicked() {
                            intent = Some(Intent::Choose(i));
                        }
                    }
                });
        });

    egui::CentralPanel::default().show(ui, |ui| {
        ui.label(
            egui::RichText::new(&view.title)
                .strong()
                .color(theme::MUTED),
        );
        egui::ScrollArea::vertical()
            .stick_to_bottom(true)
            .auto_shrink(false)
            .show(ui, |ui| {
                for line in &view.transcript {
                    transcript_line(ui, line, &view.customer, l);
                }
                // Bring the newest line into view whenever one arrives, also when several
                // arrive at once (opening a class at a prepared point) and the transcript
                // was not scrolled to the bottom before.
                let seen = egui::Id::new("transcript-lines-seen");
                let before: Option<usize> = ui.ctx().data(|d| d.get_temp(seen));
                if before != Some(view.transcript.len()) {
                    ui.scroll_to_cursor(Some(egui::Align::BOTTOM));
                    ui.ctx()
                        .data_mut(|d| d.insert_temp(seen, view.transcript.len()));
                }
            });
    });
    intent
}

/// The projector's class vote panel: the QR code, the address and code to type, the live
/// tally per option (numbered as on the phones), and the presenter's buttons.
pub fn class_vote_panel(
    ui: &mut egui::Ui,
    vote: &crate::app::classvote::ClassVoteView,
    choices: &[String],
) -> Option<Intent> {
    let l = vote.locale;
    let mut intent = None;
    egui::Panel::right("class-vote")
        .resizable(false)
        .default_size(300.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.add_space(6.0);
                ui.label(egui::RichText::new(tr(T::ClassVote, l)).strong().size(18.0));
                if let Some((width, modules)) = &vote.qr {
                    let side = (ui.available_width() - 8.0).clamp(120.0, 200.0);
                    let (rect, _) =
                        ui.allocate_exact_size(egui::vec2(side, side), egui::Sense::hover());
                    let painter = ui.painter_at(rect);
                    painter.rect_filled(rect, 0.0, egui::Color32::WHITE);
                    // Four modules of quiet zone around the code, as the standard asks.
                    let cell = side / (*width as f32 + 8.0);
                    for (i, dark) in modules.iter().enumerate() {
                        if *dark {
                            let (x, y) = ((i % width) as f32 + 4.0, (i / width) as f32 + 4.0);
                            let min = rect.min + egui::vec2(x * cell, y * cell);
                            painter.rect_filled(
                                egui::Rect::from_min_size(min, egui::vec2(cell + 0.5, cell + 0.5)),
                                0.0,
                                egui::Color32::BLACK,
                            );
                        }
                    }
                }
                let address = vote.url.split("/?").next().unwrap_or(&vote.url);
                ui.add(
                    egui::Label::new(crate::text::fill(tr(T::VoteScanHint, l), &[&address])).wrap(),
                );
                ui.label(
                    egui::RichText::new(format!("{} {}", tr(T::VoteSessionCode, l), vote.code))
                        .size(30.0)
                        .strong()
                        .color(theme::ACCENT),
                );
                if vote.loopback_only {
                    ui.label(
                        egui::RichText::new(tr(T::VoteLoopbackOnly, l))
                            .small()
                            .color(theme::BAD),
                    );
                }
                ui.separator();
                let total: u32 = vote.counts.iter().sum();
                ui.label(crate::text::fill(
                    tr(T::VoteCount, l),
                    &[&total, &vote.devices],
                ));
                let most = vote.counts.iter().copied().max().unwrap_or(0).max(1);
                for (i, count) in vote.counts.iter().enumerate() {
                    ui.horizontal(|ui| {
                        ui.label(egui::RichText::new(format!("{}.", i + 1)).strong());
                        let bar = egui::ProgressBar::new(*count as f32 / most as f32)
                            .desired_width(170.0);
                        ui.add(bar);
                        ui.label(egui::RichText::new(count.to_string()).strong());
                    });
                }
                ui.add_space(6.0);
                if !vote.tie.is_empty() {
                    ui.label(egui::RichText::new(tr(T::VoteTieBreak, l)).strong());
                    for &i in &vote.tie {
                        let text = choices
                            .get(i)
                            .map_or(String::new(), |c| format!("{}. {c}", i + 1));
                        if ui.add(egui::Button::new(text).wrap()).clicked() {
                            intent = Some(Intent::Choose(i));
                        }
                    }
                } else if vote.open && !vote.counts.is_empty() {
                    let close = egui::Button::new(
                        egui::RichText::new(tr(T::VoteCloseAndPlay, l)).color(egui::Color32::WHITE),
                    )
                    .fill(theme::ACCENT)
                    .wrap();
                    if ui.add(close).clicked() {
                        intent = Some(Intent::CloseClassVote);
                    }
                }
                if vote.no_votes {
                    ui.label(
                        egui::RichText::new(tr(T::VoteNoVotes, l))
                            .small()
                            .color(theme::BAD),
                    );
                }
                ui.add_space(6.0);
                if ui.button(tr(T::EndClassVote, l)).clicked() {
                    intent = Some(Intent::EndClassVote);
                }
            });
        });
    intent
}

pub fn transcript_line(ui: &mut egui::Ui, line: &Line, customer: &str, l: Locale) {
    let (fill, who, align) = match line.speaker {
        Speaker::Customer => (
            theme::CUSTOMER_BUBBLE,
            customer.to_string(),
            egui::Align::Min,
        ),
        Speaker::Trainee => (
            theme::TRAINEE_BUBBLE,
            tr(T::You, l).to_string(),
            egui::Align::Max,
        ),
        Speaker::Coach => (
            theme::COACH_BUBBLE,
            tr(T::Coach, l).to_string(),
            egui::Align::Min,
        ),
        Speaker::Narrator => {
            ui.label(
                egui::RichText::new(&line.text)
                    .italics()
                    .color(theme::MUTED),
            );
            return;
        }
        Speaker::Note => {
            ui.label(egui::RichText::new(&line.text).small().color(theme::GOOD));
            return;
        }
        Speaker::Warning => {
            ui.label(egui::RichText::new(&line.text).small().color(theme::BAD));
            return;
        }
    };
    ui.with_layout(egui::Layout::top_down(align), |ui| {
        egui::Frame::NONE
            .fill(fill)
            .corner_radius(8)
            .inner_margin(10)
            .outer_margin(egui::Margin::symmetric(4, 3))
            .show(ui, |ui| {
                ui.set_max_width(ui.available_width() * 0.8);
                // The bubble sits left or right; its text always reads from the left.
                ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                    ui.label(egui::RichText::new(who).small().strong());
                    ui.label(&line.text);
                });
            });
    });
}

/// A bar from 0 to 100 that glides to the new value when trust changes.
pub fn trust_meter(ui: &mut egui::Ui, trust: i32, show_number: bool) {
    let shown = ui
        .ctx()
        .animate_value_with_time(egui::Id::new("trust-meter"), trust as f32, 0.7);
    let width = ui.available_width().min(260.0);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, 18.0), egui::Sense::hover());
    let painter = ui.painter();
    painter.rect_filled(rect, 4.0, egui::Color32::from_rgb(0xe4, 0xe7, 0xeb));
    let fraction = (shown / 100.0).clamp(0.0, 1.0);
    let color = if shown < 35.0 {
        theme::BAD
    } else if shown < 60.0 {
        egui::Color32::from_rgb(0xd0, 0x93, 0x2a)
    } else {
        theme::GOOD
    };
    let mut fill = rect;
    fill.set_width(rect.width() * fraction);
    painter.rect_filled(fill, 4.0, color);
    if show_number {
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            format!("{:.0}", shown),
            egui::FontId::proportional(13.0),
            egui::Color32::BLACK,
        );
    }
}

/// The trust path as four rungs, the current one highlighted.
pub fn stage_ladder(ui: &mut egui::Ui, stage: Stage, l: Locale) {
    let glow =
        ui.ctx()
            .animate_value_with_time(egui::Id::new("stage-ladder"), stage.index() as f32, 0.6);
    for s in Stage::ALL.iter().rev() {
        let distance = (s.index() as f32 - glow).abs().min(1.0);
        let strength = 1.0 - distance;
        let fill = egui::Color32::from_rgb(
            lerp(0xee, 0x1f, strength),
            lerp(0xf0, 0x5f, strength),
            lerp(0xf3, 0x8b, strength),
        );
        let text_color = if strength > 0.5 {
            egui::Color32::WHITE
        } else if *s <= stage {
            egui::Color32::BLACK
        } else {
            theme::MUTED
        };
        egui::Frame::NONE
            .fill(fill)
            .corner_radius(4)
            .inner_margin(egui::Margin::symmetric(8, 3))
            .show(ui, |ui| {
                ui.set_width(ui.available_width().min(260.0));
                ui.label(egui::RichText::new(s.name(l)).small().color(text_color));
            });
    }
}

fn lerp(a: u8, b: u8, t: f32) -> u8 {
    (a as f32 + (b as f32 - a as f32) * t).round() as u8
}
