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
    /// The organisation's learning record store, when results are sent to one.
    pub lrs: Option<LrsSettings>,
    /// Where the class vote's web page listens: `auto` (this PC's address on the local
    /// network, a free port) or an address and port such as `192.168.1.20:8080`.
    pub class_vote_address: String,
}

/// The learning record store results are sent to. The password is kept here, in the user's
/// own settings file, and nowhere else: never in a log, an error message or an export.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LrsSettings {
    /// The store's xAPI endpoint, e.g. `https://lrs.example.org/xAPI/`.
    pub endpoint: String,
    pub username: String,
    pub password: String,
    /// The organisation's home page the trainees' xAPI accounts belong to.
    pub home_page: String,
    /// The class or team the trainees of this PC belong to, sent as the statements' team so
    /// that the trainer's class view can fetch one class's statements.
    pub group: String,
}

pub const DEFAULT_HOME_PAGE: &str = "https://rapport.training/trainees";

impl Default for LrsSettings {
    fn default() -> Self {
        LrsSettings {
            endpoint: String::new(),
            username: String::new(),
            password: String::new(),
            home_page: DEFAULT_HOME_PAGE.to_string(),
            group: String::new(),
        }
    }
}

impl std::fmt::Debug for LrsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LrsSettings")
            .field("endpoint", &self.endpoint)
            .field("username", &self.username)
            .field(
                "password",
                &if self.password.is_empty() {
                    ""
                } else {
                    "(hidden)"
                },
            )
            .field("home_page", &self.home_page)
            .field("group", &self.group)
            .finish()
    }
}

impl LrsSettings {
    /// What keeps these settings from being used, in words for the trainer; `None` when
    /// they can be.
    pub fn problem(&self) -> Option<String> {
        let endpoint = self.endpoint.trim();
        let Some(rest) = endpoint
            .strip_prefix("https://")
            .or_else(|| endpoint.strip_prefix("http://"))
        else {
            return Some(format!(
                "the LRS endpoint `{endpoint}` must start with https:// or http://"
            ));
        };
        let authority = rest.split('/').next().unwrap_or("");
        if authority.is_empty() {
            return Some("the LRS endpoint has no host name".into());
        }
        if authority.contains('@') {
            return Some(
                "the LRS endpoint must not hold a user name or password; put them in their own fields"
                    .into(),
            );
        }
        if endpoint
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Some("the LRS endpoint contains spaces".into());
        }
        if self.username.is_empty() {
            return Some("the LRS user name is empty".into());
        }
        if !(self.home_page.starts_with("https://") || self.home_page.starts_with("http://")) {
            return Some(format!(
                "the home page `{}` must start with https:// or http://",
                self.home_page
            ));
        }
        None
    }

    /// The endpoint with one trailing slash, to which `statements` is added.
    pub fn base(&self) -> String {
        format!("{}/", self.endpoint.trim().trim_end_matches('/'))
    }
}
impl Default for Settings {
    fn default() -> Self {
        Settings {
            language: Locale::En,
            text_scale: 1.0,
            presentation: false,
            scenario_folder: None,
            lrs: None,
            class_vote_address: "auto".to_string(),
        }
    }
}

/// The settings file: `$RAPPORT_CONFIG_DIR/settings.ron`, else the user's config directory.
pub fn default_path() -> Option<std::path::PathBuf> {
    std::env::var_os("RAPPORT_CONFIG_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            directories::ProjectDirs::from("org", "Rapport", "Rapport")
                .map(|d| d.config_dir().to_path_buf())
        })
        .map(|d| d.join("settings.ron"))
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
        if self.class_vote_address.trim().is_empty()
            || (self.class_vote_address != "auto"
                && self
                    .class_vote_address
                    .parse::<std::net::SocketAddr>()
                    .is_err())
        {
            changes.push(format!(
                "class_vote_address {:?} is neither `auto` nor an address and port such as 192.168.1.20:8080; using auto",
                self.class_vote_address
            ));
            self.class_vote_address = "auto".to_string();
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
        let (s, changes) = Settings {
            class_vote_address: "my laptop".into(),
            ..Settings::default()
        }
        .corrected();
        assert_eq!(s.class_vote_address, "auto");
        assert_eq!(changes.len(), 1);
    }

    #[test]
    fn the_lrs_password_never_shows_in_debug_output() {
        let settings = Settings {
            lrs: Some(LrsSettings {
                endpoint: "https://lrs.example.org/xAPI".into(),
                username: "rapport".into(),
                password: "pa55-w0rd".into(),
                ..LrsSettings::default()
            }),
            ..Settings::default()
        };
        let shown = format!("{settings:?} {settings:#?}");
        assert!(!shown.contains("pa55-w0rd"), "{shown}");
        assert!(shown.contains("(hidden)"));
    }

    #[test]
    fn lrs_endpoints_with_credentials_or_no_scheme_are_refused() {
        let with = |endpoint: &str| LrsSettings {
            endpoint: endpoint.into(),
            username: "u".into(),
            ..LrsSettings::default()
        };
        assert_eq!(with("https://lrs.example.org/xAPI").problem(), None);
        assert_eq!(
            with("https://lrs.example.org/xAPI/").base(),
            "https://lrs.example.org/xAPI/"
        );
        assert!(with("https://u:p@lrs.example.org/xAPI").problem().is_some());
        assert!(with("lrs.example.org").problem().is_some());
        assert!(with("https:///xAPI").problem().is_some());
    }
}
