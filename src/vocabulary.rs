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
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal, $en:literal, $zh:literal;)+ }) => {
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

            pub fn name(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $(($name::$variant, Locale::En) => $en,)+
                    $(($name::$variant, Locale::ZhCn) => $zh,)+
                }
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
        Dominant => "dominant", "Dominant", "权威支配型";
        Expressive => "expressive", "Expressive", "热情互动型";
        Amiable => "amiable", "Amiable", "老好附和型";
        Analytical => "analytical", "Analytical", "谨慎分析型";
    }
}

named_enum! {
    /// Objection categories by content.
    Category {
        Need => "need", "Need", "需求异议";
        Price => "price", "Price", "价格异议";
        Source => "source", "Source", "货源异议";
        Timing => "timing", "Timing", "购买时间异议";
        Product => "product", "Product", "产品异议";
    }
}

named_enum! {
    /// The Chinese trust path, in order. A relationship climbs it one step at a time.
    Stage {
        Stranger => "stranger", "Stranger", "陌生";
        Familiar => "familiar", "Familiar", "熟悉";
        PersonalTrust => "personal_trust", "Trust in the person", "对个人的信任";
        OrganisationalTrust => "organisational_trust", "Trust in the organisation", "对组织的信任";
    }
}

named_enum! {
    /// The customer's expression, which the portrait shows.
    Mood {
        Neutral => "neutral", "Neutral", "平静";
        Pleased => "pleased", "Pleased", "满意";
        Doubtful => "doubtful", "Doubtful", "怀疑";
        Displeased => "displeased", "Displeased", "不快";
    }
}

named_enum! {
    /// How a conversation ended.
    Outcome {
        Deal => "deal", "Deal", "成交";
        NextStep => "next_step", "Next step agreed", "约定下一步";
        Stalled => "stalled", "Stalled", "停滞";
        LostRelationship => "lost_relationship", "Relationship lost", "关系破裂";
    }
}

named_enum! {
    /// When an objection was handled: the four timing principles of the material.
    Timing {
        Preempt => "preempt", "Pre-empted", "提前解答";
        AtOnce => "at_once", "Answered at once", "立即回答";
        Later => "later", "Answered later", "稍后回答";
        Ignore => "ignore", "Not answered", "不予回答";
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
