//! User settings as data — language, text size, presentation mode, scenario folder — and
//! the checks that keep every value usable. The app keeps them as a resource and in a file
//! (`app/settings.rs`); reading and checking them is here, free of the shell, so that any
//! settings file, however damaged, is tested and fuzzed like a scenario.

use crate::load::Problem;
use crate::vocabulary::Locale;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub language: Locale,
    pub text_scale: f32,
    pub presentation: bool,
    /// A scenario folder chosen by the trainer, used from the next start.
    pub scenario_folder: Option<String>,
}
impl Default for Settings {
    fn default() -> Self {
        Settings {
            language: Locale::En,
            text_scale: 1.0,
            presentation: false,
            scenario_folder: None,
        }
    }
}

pub const TEXT_SCALES: [f32; 4] = [0.9, 1.0, 1.2, 1.4];

impl Settings {
    /// Puts every value in its usable range and says what was changed: a file that parses
    /// but holds, say, a text scale of 1000 must not make the app unusable at every start.
    pub fn corrected(mut self) -> (Settings, Vec<String>) {
        let mut changes = Vec::new();
        let (lowest, highest) = (TEXT_SCALES[0], TEXT_SCALES[TEXT_SCALES.len() - 1]);
        if !TEXT_SCALES.contains(&self.text_scale) {
            let nearest = if self.text_scale.is_finite() {
                TEXT_SCALES
                    .iter()
                    .copied()
                    .min_by(|a, b| {
                        (a - self.text_scale)
                            .abs()
                            .total_cmp(&(b - self.text_scale).abs())
                    })
                    .unwrap_or(1.0)
            } else {
                1.0
            };
            changes.push(format!(
                "text_scale {} is not one of the sizes {lowest}–{highest}; using {nearest}",
                self.text_scale
            ));
            self.text_scale = nearest;
        }
        if let Some(folder) = &self.scenario_folder
            && (folder.trim().is_empty() || folder.chars().any(char::is_control))
        {
            changes.push(format!(
                "scenario_folder {folder:?} is not a usable path; using the built-in folder"
            ));
            self.scenario_folder = None;
        }
        (self, changes)
    }
}

/// Parses a settings file and corrects what it holds: the settings, and what was corrected.
pub fn parse(text: &str, source: &str) -> Result<(Settings, Vec<String>), Problem> {
    crate::load::parse_ron::<Settings>(text, source).map(Settings::corrected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unusable_values_are_corrected_and_reported() {
        let cases: &[(f32, f32, bool)] = &[
            (1000.0, 1.4, true),
            (-3.0, 0.9, true),
            (f32::NAN, 1.0, true),
            (1.2, 1.2, false),
            (1.25, 1.2, true),
        ];
        for &(given, expected, reported) in cases {
            let (s, changes) = Settings {
                text_scale: given,
                ..Settings::default()
            }
            .corrected();
            assert_eq!(s.text_scale, expected, "{given}");
            assert_eq!(!changes.is_empty(), reported, "{given}: {changes:?}");
        }
        let (s, changes) = Settings {
            scenario_folder: Some("  ".into()),
            ..Settings::default()
        }
        .corrected();
        assert_eq!(s.scenario_folder, None);
        assert_eq!(changes.len(), 1);
    }
}
