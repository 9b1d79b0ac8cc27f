//! Surface cues: can a trainee win without learning, by picking the longest line or by
//! avoiding the phrases only wrong answers use? The figures here gate the library.

use crate::analysis::{Analysis, simulate};
use crate::compile::{Scenario, Then};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// How a simulated player picks among the choices shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// Uniformly at random.
    #[default]
    Random,
    /// The longest line (in characters); the first of equals.
    Longest,
    /// The shortest line; the first of equals.
    Shortest,
    /// Always the first line shown.
    First,
}

impl Policy {
    pub const ALL: [Policy; 4] = [
        Policy::Random,
        Policy::Longest,
        Policy::Shortest,
        Policy::First,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Policy::Random => "random",
            Policy::Longest => "longest",
            Policy::Shortest => "shortest",
            Policy::First => "first",
        }
    }

    pub fn parse(text: &str) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.name() == text)
    }

    /// The 0-based position among `shown` this policy picks.
    pub fn pick(self, shown: &[(usize, Arc<str>)], rng: &mut impl Rng) -> usize {
        let length = |i: usize| shown[i].1.chars().count();
        let positions = 0..shown.len();
        match self {
            Policy::Random => self.pick_index(shown.len(), rng),
            Policy::First => 0,
            // `max_by_key` keeps the last of equals; reversing keeps the first.
            Policy::Longest => positions.rev().max_by_key(|&i| length(i)).unwrap_or(0),
            Policy::Shortest => positions.min_by_key(|&i| length(i)).unwrap_or(0),
        }
    }

    /// A uniformly random index below `count` (0 when there is nothing to pick).
    pub fn pick_index(self, count: usize, rng: &mut impl Rng) -> usize {
        if count == 0 {
            0
        } else {
            rng.random_range(0..count)
        }
    }
}

/// Phrases that must not give an answer away: the gate fails when more than
/// `CUE_PHRASE_MISTAKE_SHARE` of a phrase's uses across the library are in mistakes.
pub const CUE_PHRASES: &[&str] = &[
    "恕我直言",
    "我保证",
    "绝对",
    "一定",
    "相信我",
    "说实话",
    "老实说",
    "with respect",
    "i guarantee",
    "absolutely",
    "trust me",
    "honestly",
    "to be honest",
    "frankly",
];
pub const CUE_PHRASE_MISTAKE_SHARE: f64 = 0.8;
/// Across the library, the best choice may be the longest line in at most this share of decisions.
pub const BEST_IS_LONGEST_SHARE: f64 = 0.4;
/// Per scenario, always picking the longest line (or the shortest, or the first shown) may
/// score at most this much above the median of random play.
pub const LONGEST_OVER_RANDOM_MEDIAN: f64 = 10.0;
/// Runs of the longest-line player per scenario (seeded: the figure is reproducible).
pub const POLICY_RUNS: u32 = 200;

/// One scenario's surface-cue figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CueFigures {
    /// Decisions where some choice scores worse than another (where a best choice exists).
    pub decisions: usize,
    /// Of those, decisions where a best choice is also the longest line.
    pub best_is_longest: usize,
    /// Of those, decisions where a best choice is also the shortest line.
    pub best_is_shortest: usize,
    pub random_median: u32,
    pub longest_mean: f64,
    pub shortest_mean: f64,
    pub first_mean: f64,
}

impl CueFigures {
    /// The surface-cue players that score more than the margin above random play's median,
    /// with their mean scores.
    pub fn winning_cues(&self) -> Vec<(Policy, f64)> {
        [
            (Policy::Longest, self.longest_mean),
            (Policy::Shortest, self.shortest_mean),
            (Policy::First, self.first_mean),
        ]
        .into_iter()
        .filter(|(_, mean)| *mean > self.random_median as f64 + LONGEST_OVER_RANDOM_MEDIAN)
        .collect()
    }
}

pub fn figures(scn: &Arc<Scenario>, analysis: &Analysis) -> CueFigures {
    let mut decisions = 0;
    let mut best_is_longest = 0;
    let mut best_is_shortest = 0;
    for d in &analysis.decisions {
        let scores: Vec<Option<u32>> = d.choices.iter().map(|c| c.best_after).collect();
        let Some(best) = scores.iter().flatten().max().copied() else {
            continue;
        };
        if scores.iter().flatten().all(|&s| s == best) {
            continue;
        }
        decisions += 1;
        let lengths: Vec<usize> = d.choices.iter().map(|c| c.text.chars().count()).collect();
        let longest = lengths.iter().max().copied().unwrap_or(0);
        let shortest = lengths.iter().min().copied().unwrap_or(0);
        let best_with = |target: usize| {
            d.choices
                .iter()
                .zip(&lengths)
                .any(|(c, &l)| c.best_after == Some(best) && l == target)
        };
        best_is_longest += best_with(longest) as usize;
        best_is_shortest += best_with(shortest) as usize;
    }
    let mean = |policy| simulate(scn, POLICY_RUNS, 1, policy).mean();
    CueFigures {
        decisions,
        best_is_longest,
        best_is_shortest,
        random_median: analysis.overall.median,
        longest_mean: mean(Policy::Longest),
        shortest_mean: mean(Policy::Shortest),
        first_mean: mean(Policy::First),
    }
}

/// How often each cue phrase is used, and how often in a choice marked as a mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PhraseUse {
    pub total: usize,
    pub in_mistakes: usize,
}

/// Counts each of `CUE_PHRASES` (case-insensitive) in the trainee's lines of `scn`.
pub fn phrase_uses(scn: &Scenario) -> Vec<PhraseUse> {
    let mut uses = vec![PhraseUse::default(); CUE_PHRASES.len()];
    for node in &scn.nodes {
        let Then::Choices(list) = &node.then else {
            continue;
        };
        for choice in list {
            let line = choice.say.to_lowercase();
            for (phrase, slot) in CUE_PHRASES.iter().zip(uses.iter_mut()) {
                let n = line.matches(phrase).count();
                slot.total += n;
                if choice.mistake {
                    slot.in_mistakes += n;
                }
            }
        }
    }
    uses
}

/// The library-wide problems: best-is-longest share and phrases used mostly in mistakes.
pub fn library_problems(figures: &[CueFigures], uses: &[Vec<PhraseUse>]) -> Vec<String> {
    let mut problems = Vec::new();
    let decisions: usize = figures.iter().map(|f| f.decisions).sum();
    for (which, count) in [
        (
            "longest",
            figures.iter().map(|f| f.best_is_longest).sum::<usize>(),
        ),
        (
            "shortest",
            figures.iter().map(|f| f.best_is_shortest).sum::<usize>(),
        ),
    ] {
        if decisions > 0 && count as f64 > BEST_IS_LONGEST_SHARE * decisions as f64 {
            problems.push(format!(
                "the best choice is the {which} line in {count} of {decisions} decisions ({:.0} %); at most {:.0} % allowed",
                100.0 * count as f64 / decisions as f64,
                100.0 * BEST_IS_LONGEST_SHARE
            ));
        }
    }
    for (i, phrase) in CUE_PHRASES.iter().enumerate() {
        let total: usize = uses.iter().map(|u| u[i].total).sum();
        let in_mistakes: usize = uses.iter().map(|u| u[i].in_mistakes).sum();
        if total > 0 && in_mistakes as f64 > CUE_PHRASE_MISTAKE_SHARE * total as f64 {
            problems.push(format!(
                "“{phrase}” appears {total} times, {in_mistakes} of them in mistakes: a trainee can avoid wrong answers by it"
            ));
        }
    }
    problems
}
