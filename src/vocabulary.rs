//! The fixed vocabulary of the training material: personalities, objection categories,
//! relationship stages, moods, outcomes and handling timings, with their names in both locales.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The interface and scenario languages Rapport ships. Written as a string (`"en"`,
/// `"zh-CN"`), since `zh-CN` is no RON identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Locale {
    En,
    ZhCn,
}

impl Serialize for Locale {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Locale {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Locale::from_code(&code).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown locale `{code}`, expected \"en\" or \"zh-CN\""
            ))
        })
    }
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::ZhCn];

    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }

    pub fn from_code(code: &str) -> Option<Locale> {
        match code {
            "en" => Some(Locale::En),
            "zh-CN" | "zh" => Some(Locale::ZhCn),
            _ => None,
        }
    }
}

/// A pair of texts, one per locale, for names the model and the interface show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bilingual {
    pub en: String,
    pub zh: String,
}

impl Bilingual {
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::En => &self.en,
            Locale::ZhCn => &self.zh,
        }
    }
}

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal, $key:ident;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The lowercase identifier used in scenario files, JSON and the CLI.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The name the interface shows, from the one string table (`crate::text`).
            pub fn name(self, locale: Locale) -> &'static str {
                match self { $($name::$variant => crate::text::tr(crate::text::T::$key, locale),)+ }
            }

            pub fn index(self) -> usize {
                Self::ALL.iter().position(|v| *v == self).unwrap_or(0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

named_enum! {
    /// The four customer personality types of the course.
    Personality {
        Dominant => "dominant", PersonalityDominant;
        Expressive => "expressive", PersonalityExpressive;
        Amiable => "amiable", PersonalityAmiable;
        Analytical => "analytical", PersonalityAnalytical;
    }
}

named_enum! {
    /// Objection categories by content.
    Category {
        Need => "need", CategoryNeed;
        Price => "price", CategoryPrice;
        Source => "source", CategorySource;
        Timing => "timing", CategoryTiming;
        Product => "product", CategoryProduct;
    }
}

named_enum! {
    /// The Chinese trust path, in order. A relationship climbs it one step at a time.
    Stage {
        Stranger => "stranger", StageStranger;
        Familiar => "familiar", StageFamiliar;
        PersonalTrust => "personal_trust", StagePersonalTrust;
        OrganisationalTrust => "organisational_trust", StageOrganisationalTrust;
    }
}

named_enum! {
    /// The customer's expression, which the portrait shows.
    Mood {
        Neutral => "neutral", MoodNeutral;
        Pleased => "pleased", MoodPleased;
        Doubtful => "doubtful", MoodDoubtful;
        Displeased => "displeased", MoodDispleased;
    }
}

named_enum! {
    /// How a conversation ended.
    Outcome {
        Deal => "deal", OutcomeDeal;
        NextStep => "next_step", OutcomeNextStep;
        Stalled => "stalled", OutcomeStalled;
        LostRelationship => "lost_relationship", OutcomeLostRelationship;
    }
}

named_enum! {
    /// When an objection was handled: the four timing principles of the material.
    Timing {
        Preempt => "preempt", TimingPreempt;
        AtOnce => "at_once", TimingAtOnce;
        Later => "later", TimingLater;
        Ignore => "ignore", TimingIgnore;
    }
}

impl Stage {
    pub fn next(self) -> Option<Stage> {
        Stage::ALL.get(self.index() + 1).copied()
    }

    pub fn previous(self) -> Option<Stage> {
        self.index().checked_sub(1).map(|i| Stage::ALL[i])
    }
}

/// The four personalities, excluding the product category, paired with the four objection
/// categories the library's matrix covers.
pub const MATRIX_CATEGORIES: [Category; 4] = [
    Category::Need,
    Category::Price,
    Category::Source,
    Category::Timing,
];

// The enum comes from `named_enum!`, which cannot mark a default variant.
#[allow(clippy::derivable_impls)]
impl Default for Mood {
    fn default() -> Self {
        Mood::Neutral
    }
}
