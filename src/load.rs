//! The one parser: RON text plus a source name in, typed data or a located error out.
//!
//! The CLI, the tests and the desktop app's asset loader all come through here, so a file
//! that loads in one loads in all of them, with the same messages.

use serde::de::DeserializeOwned;
use std::fmt;

/// Scenario files are untrusted: larger files than this are refused before parsing.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Deepest nesting of brackets the parser follows before it gives up with an error.
pub const MAX_NESTING: usize = 64;

/// A place in a source file, 1-based like every editor shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Something wrong with a file, and where: a parse error or a validation finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub source: String,
    pub location: Location,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.source, self.location, self.message)
    }
}

impl std::error::Error for Problem {}

/// A file's bytes as text: refuses more than `MAX_FILE_BYTES`, and names the line and column
/// of the first byte that is not UTF-8. The CLI's and the app's loaders both read through it.
pub fn decode_text(bytes: Vec<u8>, source: &str) -> Result<String, Problem> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Problem {
            source: source.to_string(),
            location: Location { line: 1, column: 1 },
            message: format!(
                "the file is larger than {MAX_FILE_BYTES} bytes; scenario files may be at most that"
            ),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(valid);
        Problem {
            source: source.to_string(),
            location: location_of_offset(&text, text.len()),
            message: "the file is not valid UTF-8 from here on; save it as UTF-8".into(),
        }
    })
}

/// Windows editors save a byte-order mark that RON would reject as a stray character.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

fn ron_options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(
            ron::extensions::Extensions::IMPLICIT_SOME
                | ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES,
        )
        .with_recursion_limit(MAX_NESTING)
}

/// Parses RON `text` read from `source` (a file name, used only in messages).
pub fn parse_ron<T: DeserializeOwned>(text: &str, source: &str) -> Result<T, Problem> {
    if text.len() > MAX_FILE_BYTES {
        return Err(Problem {
            source: source.to_string(),
            location: Location { line: 1, column: 1 },
            message: format!(
                "file is {} bytes; scenario files may be at most {} bytes",
                text.len(),
                MAX_FILE_BYTES
            ),
        });
    }
    let text = strip_bom(text);
    // A panic inside a dependency must not take the app down with a trainer's typo.
    let parsed = std::panic::catch_unwind(|| ron_options().from_str::<T>(text));
    match parsed {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(Problem {
            source: source.to_string(),
            location: Location {
                line: err.span.start.line.max(1),
                column: err.span.start.col.max(1),
            },
            message: explain_ron_error(&err.code),
        }),
        Err(_) => Err(Problem {
            source: source.to_string(),
            location: Location { line: 1, column: 1 },
            message: "the parser failed on this file; please report it with the file attached"
                .to_string(),
        }),
    }
}

fn explain_ron_error(code: &ron::Error) -> String {
    match code {
        ron::Error::ExceededRecursionLimit => {
            format!("brackets are nested more than {MAX_NESTING} deep")
        }
        other => other.to_string(),
    }
}

/// Where in `text` a byte offset falls, as a 1-based line and character column.
pub fn location_of_offset(text: &str, offset: usize) -> Location {
    let text = strip_bom(text);
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    Location { line, column }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
