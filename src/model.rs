//! The behaviour model: what each personality values and how each technique lands with it.
//!
//! It is data (`scenarios/_model.ron`), not code, so a trainer can read and tune why a
//! choice gained or lost trust. A copy is built into the binary; a `_model.ron` placed in a
//! scenario folder replaces it for the scenarios in that folder.

use crate::compile::FastMap;
use crate::load::{Problem, parse_ron};
use crate::vocabulary::{Bilingual, Category, Personality, Stage};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// The text of the model shipped with Rapport.
pub const BUILTIN_MODEL_RON: &str = include_str!("../scenarios/_model.ron");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    pub personalities: Vec<PersonalityProfile>,
    pub techniques: Vec<TechniqueDef>,
    pub milestones: Vec<MilestoneDef>,
    pub stages: Vec<StageRule>,
    /// Trust lost on a breach (a broken promise, pressure on the wrong personality).
    pub breach_trust: i32,
    /// How many rungs of the trust path the relationship may climb within one contact.
    pub stage_climb_per_contact: u8,
    /// The milestone a later contact achieves by itself (meeting again, not promising to).
    pub contact_milestone: String,
    /// The milestone achieved by keeping a promise made at an earlier contact.
    pub promise_kept_milestone: String,
    /// How trust cools while the trainee stays away from a customer.
    pub cooling: Cooling,
    /// The objection sub-types scenarios may name, each of one category.
    pub objection_types: Vec<ObjectionType>,
    /// The motives behind a price objection.
    pub price_motives: Vec<NamedId>,
    /// Where objections come from.
    pub causes: Vec<NamedId>,
}

/// Trust cools between contacts: nothing within `grace_days`, then `per_week` points for each
/// further week (pro rata), by personality.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cooling {
    pub grace_days: u16,
    pub per_week: BTreeMap<Personality, u8>,
    /// Why, in the material's words; shown in the account report.
    pub why: Bilingual,
}

impl Cooling {
    /// Trust lost over `days` without contact with a customer of personality `p`.
    pub fn loss(&self, p: Personality, days: u32) -> i32 {
        let rate = self.per_week.get(&p).copied().unwrap_or(0) as u32;
        let over = days.saturating_sub(self.grace_days as u32);
        // Rounded down: a day or two past the grace costs nothing yet.
        ((over * rate) / 7) as i32
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionType {
    pub id: String,
    pub category: Category,
    pub name: Bilingual,
    /// The right way to meet it, in the material's words; shown in the debrief.
    pub handling: Bilingual,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedId {
    pub id: String,
    pub name: Bilingual,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalityProfile {
    pub personality: Personality,
    pub nickname: Bilingual,
    pub wants: Bilingual,
    pub put_off_by: Bilingual,
    /// What gives this type away in conversation; shown after a diagnosis.
    pub cues: Bilingual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TechniqueKind {
    /// One of the five objection-handling methods.
    Method,
    /// One of the eight trust builders.
    TrustBuilder,
    /// A general conversational move that helps with some customers.
    Style,
    /// A mistake real salespeople make; it may still please some customers for a moment.
    Mistake,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechniqueDef {
    pub id: String,
    pub kind: TechniqueKind,
    pub name: Bilingual,
    /// Trust change with any personality.
    pub base: i32,
    /// Extra trust change, and the reason, for particular personalities.
    #[serde(default)]
    pub fit: BTreeMap<Personality, Fit>,
    /// Using this with these personalities is a breach of the relationship.
    #[serde(default)]
    pub breach_with: Vec<Personality>,
    /// Milestones this technique achieves whenever it is used.
    #[serde(default)]
    pub grants: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fit {
    pub trust: i32,
    pub why: Bilingual,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneDef {
    pub id: String,
    pub name: Bilingual,
}

/// To climb to `stage`, trust must reach `trust` and one of `needs_any` must have happened.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageRule {
    pub stage: Stage,
    pub trust: i32,
    pub needs_any: Vec<String>,
}

/// Where the first name quoted in a problem (`like this`) is written in the model's text,
/// so a model problem points at its place as a scenario problem does.
fn locate_named(text: &str, message: &str) -> Option<crate::load::Location> {
    let name = message.split('`').nth(1)?;
    let offset = crate::load::strip_bom(text).find(&format!("\"{name}\""))?;
    Some(crate::load::location_of_offset(text, offset))
}

/// The model with names resolved to indices, ready for the engine.
#[derive(Debug, Clone)]
pub struct Model {
    pub file: ModelFile,
    technique_index: FastMap<String, usize>,
    milestone_index: FastMap<String, usize>,
    /// Per stage (by `Stage::index`), its threshold and the milestone mask that unlocks it.
    pub stage_rules: [(i32, u64); 4],
    pub technique_grants: Vec<u64>,
    /// The mask of `contact_milestone`.
    pub contact_milestone: u64,
    /// The mask of `promise_kept_milestone`.
    pub promise_kept_milestone: u64,
}

pub const MAX_MILESTONES: usize = 64;
/// A technique's or a breach's trust change is bounded so that sums of them never overflow.
pub const MAX_MODEL_EFFECT: i32 = 50;

impl Model {
    pub fn parse(text: &str, source: &str) -> Result<Model, Vec<Problem>> {
        let file: ModelFile = parse_ron(text, source).map_err(|e| vec![e])?;
        Model::from_file(file, source).map_err(|problems| {
            problems
                .into_iter()
                .map(|p| Problem {
                    location: locate_named(text, &p.message).unwrap_or(p.location),
                    ..p
                })
                .collect()
        })
    }

    pub fn from_file(file: ModelFile, source: &str) -> Result<Model, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut complain = |message: String| {
            problems.push(Problem {
                source: source.to_string(),
                location: crate::load::Location { line: 1, column: 1 },
                message,
            })
        };
        let mut milestone_index = FastMap::default();
        for (i, m) in file.milestones.iter().enumerate() {
            if milestone_index.insert(m.id.clone(), i).is_some() {
                complain(format!("milestone `{}` is defined twice", m.id));
            }
        }
        if file.milestones.len() > MAX_MILESTONES {
            complain(format!("at most {MAX_MILESTONES} milestones are supported"));
        }
        let mut technique_index = FastMap::default();
        for (i, t) in file.techniques.iter().enumerate() {
            if technique_index.insert(t.id.clone(), i).is_some() {
                complain(format!("technique `{}` is defined twice", t.id));
            }
        }
        let mask = |ids: &[String], complain: &mut dyn FnMut(String), whose: &str| -> u64 {
            let mut mask = 0u64;
            for id in ids {
                match milestone_index.get(id) {
                    Some(&i) if i < MAX_MILESTONES => mask |= 1 << i,
                    _ => complain(format!("{whose} names unknown milestone `{id}`")),
                }
            }
            mask
        };
        let mut technique_grants = Vec::new();
        for t in &file.techniques {
            technique_grants.push(mask(
                &t.grants,
                &mut complain,
                &format!("technique `{}`", t.id),
            ));
        }
        // Strangers need nothing; the other stages come from the file.
        let mut stage_rules = [(i32::MIN, 0u64); 4];
        let mut seen = [false; 4];
        seen[0] = true;
        for rule in &file.stages {
            let i = rule.stage.index();
            seen[i] = true;
            stage_rules[i] = (
                rule.trust,
                mask(
                    &rule.needs_any,
                    &mut complain,
                    &format!("stage `{}`", rule.stage),
                ),
            );
        }
        for (i, s) in seen.iter().enumerate() {
            if !s {
                complain(format!("no rule for stage `{}`", Stage::ALL[i]));
            }
        }
        for p in Personality::ALL {
            if !file.personalities.iter().any(|x| x.personality == *p) {
                complain(format!("no profile for personality `{p}`"));
            }
        }
        let in_range = |v: i32| (-MAX_MODEL_EFFECT..=MAX_MODEL_EFFECT).contains(&v);
        if !in_range(file.breach_trust) {
            complain(format!(
                "breach_trust is {}; it must lie between -{MAX_MODEL_EFFECT} and {MAX_MODEL_EFFECT}",
                file.breach_trust
            ));
        }
        for t in &file.techniques {
            if !in_range(t.base) {
                complain(format!(
                    "technique `{}` has base {}; it must lie between -{MAX_MODEL_EFFECT} and {MAX_MODEL_EFFECT}",
                    t.id, t.base
                ));
            }
            for (p, fit) in &t.fit {
                if !in_range(fit.trust) {
                    complain(format!(
                        "technique `{}` has fit {} for `{p}`; it must lie between -{MAX_MODEL_EFFECT} and {MAX_MODEL_EFFECT}",
                        t.id, fit.trust
                    ));
                }
            }
        }
        for rule in &file.stages {
            if !(0..=100).contains(&rule.trust) {
                complain(format!(
                    "stage `{}` needs trust {}; it must be 0 to 100",
                    rule.stage, rule.trust
                ));
            }
        }
        if file.stage_climb_per_contact == 0
            || file.stage_climb_per_contact as usize >= Stage::ALL.len()
        {
            complain(format!(
                "stage_climb_per_contact is {}; it must be 1 to {}",
                file.stage_climb_per_contact,
                Stage::ALL.len() - 1
            ));
        }
        let contact_milestone = match milestone_index.get(&file.contact_milestone) {
            Some(&i) if i < MAX_MILESTONES => 1u64 << i,
            _ => {
                complain(format!(
                    "contact_milestone names unknown milestone `{}`",
                    file.contact_milestone
                ));
                0
            }
        };
        let promise_kept_milestone = match milestone_index.get(&file.promise_kept_milestone) {
            Some(&i) if i < MAX_MILESTONES => 1u64 << i,
            _ => {
                complain(format!(
                    "promise_kept_milestone names unknown milestone `{}`",
                    file.promise_kept_milestone
                ));
                0
            }
        };
        for p in Personality::ALL {
            match file.cooling.per_week.get(p) {
                None => complain(format!("cooling gives no `per_week` rate for `{p}`")),
                Some(rate) if *rate > 20 => complain(format!(
                    "cooling for `{p}` is {rate} points a week; it must be 0 to 20"
                )),
                Some(_) => {}
            }
        }
        if file.cooling.grace_days > 365 {
            complain(format!(
                "cooling's grace_days is {}; it must be 0 to 365",
                file.cooling.grace_days
            ));
        }
        if technique_grants.iter().any(|g| g & contact_milestone != 0) {
            complain(format!(
                "a technique grants `{}`, which only a later contact may achieve",
                file.contact_milestone
            ));
        }
        let mut seen_ids = std::collections::BTreeSet::new();
        for id in file
            .objection_types
            .iter()
            .map(|t| &t.id)
            .chain(file.price_motives.iter().map(|m| &m.id))
            .chain(file.causes.iter().map(|c| &c.id))
        {
            if !seen_ids.insert(id.as_str()) {
                complain(format!(
                    "`{id}` is defined twice among objection types, motives and causes"
                ));
            }
        }
        for category in Category::ALL {
            if !file.objection_types.iter().any(|t| t.category == *category) {
                complain(format!("no objection type of category `{category}`"));
            }
        }
        if problems.is_empty() {
            Ok(Model {
                file,
                technique_index,
                milestone_index,
                stage_rules,
                technique_grants,
                contact_milestone,
                promise_kept_milestone,
            })
        } else {
            Err(problems)
        }
    }

    /// The model shipped in the binary.
    pub fn builtin() -> Arc<Model> {
        static BUILTIN: OnceLock<Arc<Model>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                // The shipped model is checked by a test; failing here is a build defect.
                Arc::new(
                    Model::parse(BUILTIN_MODEL_RON, "scenarios/_model.ron")
                        .expect("the built-in model must be valid"),
                )
            })
            .clone()
    }

    pub fn technique(&self, id: &str) -> Option<usize> {
        self.technique_index.get(id).copied()
    }

    pub fn technique_def(&self, index: usize) -> &TechniqueDef {
        &self.file.techniques[index]
    }

    pub fn milestone(&self, id: &str) -> Option<usize> {
        self.milestone_index.get(id).copied()
    }

    pub fn objection_type(&self, id: &str) -> Option<usize> {
        self.file.objection_types.iter().position(|t| t.id == id)
    }

    pub fn price_motive(&self, id: &str) -> Option<usize> {
        self.file.price_motives.iter().position(|m| m.id == id)
    }

    pub fn cause(&self, id: &str) -> Option<usize> {
        self.file.causes.iter().position(|c| c.id == id)
    }

    pub fn profile(&self, p: Personality) -> Option<&PersonalityProfile> {
        self.file.personalities.iter().find(|x| x.personality == p)
    }

    /// The trust change a technique brings with a personality, and whether it fits.
    pub fn technique_effect(&self, technique: usize, p: Personality) -> (i32, Option<&Fit>) {
        let def = &self.file.techniques[technique];
        let fit = def.fit.get(&p);
        (def.base + fit.map(|f| f.trust).unwrap_or(0), fit)
    }
}
