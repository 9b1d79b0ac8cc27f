//! The debrief: the report plus, for every decision, the best choice there and what it would
//! have led to, and the transcript — as data, Markdown and JSON.

use crate::analysis::Analyzer;
use crate::compile::Then;
use crate::engine::{Event, Session};
use crate::scoring::{Report, report};
use crate::text::{T, tr};
use crate::vocabulary::{Locale, Outcome, Personality};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionReview {
    pub node: String,
    pub chosen: String,
    /// The best score still reachable after the choice made.
    pub chosen_best: u32,
    pub best_choice: String,
    pub best_score: u32,
    /// The ending best play from the best choice reaches.
    pub best_ending: Option<(String, Outcome)>,
    pub was_best: bool,
    /// Every option offered here with the best score still reachable after it, in the order
    /// the trainee saw them (the class vote's debrief shows them beside the class's split).
    #[serde(default)]
    pub options: Vec<(String, u32)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranscriptLine {
    pub speaker: Speaker,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Customer,
    Trainee,
    Narrator,
    Coach,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Debrief {
    pub report: Report,
    /// Whether the best choice per decision has been worked out yet (the app fills it in
    /// off the UI thread).
    pub reviewed: bool,
    /// False when the scenario is too large to analyse exactly: then `decisions` holds only
    /// the decisions reviewed before the budget ran out.
    pub exact: bool,
    pub decisions: Vec<DecisionReview>,
    pub transcript: Vec<TranscriptLine>,
    pub customer: String,
    pub locale: Locale,
}

/// The debrief of a finished session, or `None` if it has not ended.
pub fn debrief(session: &Session) -> Option<Debrief> {
    let mut d = debrief_without_review(session)?;
    let review = review(session, None)?;
    d.reviewed = true;
    d.exact = review.exact;
    d.decisions = review.decisions;
    Some(d)
}

/// The debrief without the per-decision review: what needs no analysis, at once.
pub fn debrief_without_review(session: &Session) -> Option<Debrief> {
    Some(Debrief {
        report: report(session)?,
        reviewed: false,
        exact: true,
        decisions: Vec::new(),
        transcript: transcript(session.events(), session.scenario().locale()),
        customer: session.scenario().file.customer.name.clone(),
        locale: session.scenario().locale(),
    })
}

/// For every decision taken, the best choice there and what it leads to.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub decisions: Vec<DecisionReview>,
    /// False when the analysis ran out of budget part-way.
    pub exact: bool,
}

/// The options of decision `d` as the trainee saw them (their full-list indices).
fn shown_order(scn: &crate::Scenario, d: &crate::engine::Decision) -> Vec<usize> {
    match &scn.nodes[d.node].then {
        Then::Choices(_) => crate::engine::visible_choices(scn, &d.state, d.node),
        _ => (0..Personality::ALL.len()).collect(),
    }
}

/// Works out the best choice at each decision of `session`; `None` once `cancel` is set.
pub fn review(session: &Session, cancel: Option<&std::sync::atomic::AtomicBool>) -> Option<Review> {
    let scn = session.scenario();
    let mut analyzer = Analyzer::new(scn);
    if let Some(cancel) = cancel {
        analyzer = analyzer.cancelled_by(cancel);
    }
    let decisions = review_with(&mut analyzer, session);
    if cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
        return None;
    }
    Some(Review {
        decisions,
        exact: !analyzer.over_budget(),
    })
}

/// The spoken lines of a session, with coach feedback, in order.
pub fn transcript(events: &[Event], locale: crate::vocabulary::Locale) -> Vec<TranscriptLine> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::CustomerSays { text, .. } => Some((Speaker::Customer, text.to_string())),
            Event::TraineeSays { text, .. } => Some((Speaker::Trainee, text.to_string())),
            Event::ChanceHappened { note } => Some((Speaker::Narrator, note.to_string())),
            Event::ContactBegan {
                contact,
                days,
                note,
            } => Some((
                Speaker::Narrator,
                contact_line(locale, *contact, *days, note),
            )),
            Event::Feedback { text, .. } => Some((Speaker::Coach, text.to_string())),
            _ => None,
        })
        .map(|(speaker, text)| TranscriptLine { speaker, text })
        .collect()
}

/// A new contact as the transcript shows it: the heading, then what the contact is.
pub fn contact_line(
    locale: crate::vocabulary::Locale,
    contact: u8,
    days: u16,
    note: &str,
) -> String {
    let heading = crate::text::fill(
        crate::text::tr(crate::text::T::ContactHeading, locale),
        &[&contact, &days],
    );
    if note.is_empty() {
        format!("— {heading} —")
    } else {
        format!("— {heading} —\n{note}")
    }
}

impl Debrief {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn to_markdown(&self) -> String {
        use std::fmt::Write;
        let r = &self.report;
        let t = |key: T| tr(key, self.locale);
        let loc = self.locale;
        let mut md = String::new();
        let _ = writeln!(md, "# {} — {}\n", t(T::DebriefTitle), r.title);
        let _ = writeln!(md, "- **{}:** {}/100", t(T::Score), r.score.total);
        let _ = writeln!(
            md,
            "- **{}:** {} — {}",
            t(T::Outcome),
            r.outcome.name(loc),
            r.ending_title
        );
        let _ = writeln!(
            md,
            "- **{}:** {}",
            t(T::CustomerPersonality),
            r.personality.name(loc)
        );
        let _ = writeln!(
            md,
            "- **{}:** {} → {} ({} {})",
            t(T::Trust),
            r.trust_start,
            r.trust_end,
            t(T::Peak),
            r.trust_peak
        );
        let _ = writeln!(
            md,
            "- **{}:** {} → {}",
            t(T::Relationship),
            r.stage_start.name(loc),
            r.stage_end.name(loc)
        );
        if let Some((guess, correct)) = r.diagnosis {
            let _ = writeln!(
                md,
                "- **{}:** {} ({})",
                t(T::Diagnosis),
                guess.name(loc),
                if correct { t(T::Right) } else { t(T::Wrong) }
            );
        }
        let _ = writeln!(md, "- **{}:** {}\n", t(T::Seed), r.seed);
        let _ = writeln!(md, "{}\n", r.debrief);
        let _ = writeln!(md, "## {}\n", t(T::ScoreRules));
        for rule in &r.score.rules {
            let _ = writeln!(
                md,
                "- `{}` {}/{} — {}",
                rule.rule, rule.points, rule.max, rule.detail
            );
        }
        if !r.objections.is_empty() {
            let _ = writeln!(md, "\n## {}\n", t(T::Objections));
            for o in &r.objections {
                let _ = writeln!(
                    md,
                    "- **{}** ({}{}): {}{}{}",
                    o.subtype,
                    o.category.name(loc),
                    o.excuse
                        .map(|e| format!(
                            "; {}",
                            t(if e {
                                T::ObjectionExcuse
                            } else {
                                T::ObjectionReal
                            })
                        ))
                        .unwrap_or_default(),
                    o.status.name(loc),
                    o.timing
                        .map(|t| format!(", {}", t.name(loc)))
                        .unwrap_or_default(),
                    if o.method_names.is_empty() {
                        String::new()
                    } else {
                        format!(", {}", o.method_names.join(" + "))
                    }
                );
            }
        }
        let _ = writeln!(md, "\n## {}\n", t(T::StyleFit));
        for fit in &r.style_fit {
            let _ = writeln!(
                md,
                "- {}: {:+} ({} ✓, {} ×)",
                fit.personality.name(loc),
                fit.trust_effect,
                fit.suited,
                fit.unsuited
            );
        }
        let _ = writeln!(md, "\n## {}\n", t(T::Decisions));
        for (i, d) in self.decisions.iter().enumerate() {
            let mark = if d.was_best { "✓" } else { "×" };
            let _ = writeln!(
                md,
                "{}. {} {}: “{}” ({}/100)",
                i + 1,
                mark,
                t(T::YouChose),
                d.chosen,
                d.chosen_best
            );
            if !d.was_best {
                let _ = write!(
                    md,
                    "   - {}: “{}” ({}/100)",
                    t(T::BestHere),
                    d.best_choice,
                    d.best_score
                );
                if let Some((title, outcome)) = &d.best_ending {
                    let _ = write!(
                        md,
                        " — {} {} ({})",
                        t(T::WouldLeadTo),
                        title,
                        outcome.name(loc)
                    );
                }
                let _ = writeln!(md);
            }
        }
        let _ = writeln!(md, "\n## {}\n", t(T::Transcript));
        for line in &self.transcript {
            let who = match line.speaker {
                Speaker::Customer => self.customer.as_str(),
                Speaker::Trainee => t(T::You),
                Speaker::Coach => t(T::Coach),
                Speaker::Narrator => "—",
            };
            let _ = match line.speaker {
                Speaker::Coach => writeln!(md, "> *{}: {}*\n", who, line.text),
                Speaker::Narrator => writeln!(md, "*{}*\n", line.text),
                _ => writeln!(md, "**{}:** {}\n", who, line.text),
            };
        }
        md
    }
}

/// The review of `session`'s decisions with an analyzer of its scenario, which several
/// sessions of one scenario can share (the class view reviews a whole class's visits).
pub fn review_with(analyzer: &mut Analyzer, session: &Session) -> Vec<DecisionReview> {
    let scn = session.scenario();
    let mut decisions = Vec::new();
    for d in session.decisions() {
        // Too large to analyse exactly: the debrief shows no best choices rather than guesses.
        let Some(id) = analyzer.position_at(d.node, d.state) else {
            break;
        };
        let values = analyzer.choice_values(id);
        let Some(&(best_index, best_score)) = values
            .iter()
            .max_by_key(|(i, v)| (*v, std::cmp::Reverse(*i)))
        else {
            continue;
        };
        let chosen_best = values
            .iter()
            .find(|(i, _)| *i == d.choice)
            .map(|(_, v)| *v)
            .unwrap_or(0);
        let text = |i: usize| match &scn.nodes[d.node].then {
            Then::Choices(list) => list[i].say.to_string(),
            _ => Personality::ALL[i.min(3)].name(scn.locale()).to_string(),
        };
        let best_ending = analyzer
            .child_for_choice(id, best_index)
            .and_then(|c| analyzer.best_ending(c))
            .and_then(|n| match &scn.nodes[n].then {
                Then::End(e) => Some((e.title.to_string(), e.outcome)),
                _ => None,
            });
        decisions.push(DecisionReview {
            node: scn.nodes[d.node].id.clone(),
            chosen: text(d.choice),
            chosen_best,
            best_choice: text(best_index),
            best_score,
            best_ending,
            was_best: chosen_best >= best_score,
            options: shown_order(scn, d)
                .into_iter()
                .map(|i| {
                    let value = values.iter().find(|(j, _)| *j == i).map_or(0, |(_, v)| *v);
                    (text(i), value)
                })
                .collect(),
        });
    }
    decisions
}
