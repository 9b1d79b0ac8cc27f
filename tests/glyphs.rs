//! No missing glyphs: every character the interface or a shipped scenario can show is in
//! the fonts the app loads (egui's defaults and the bundled CJK font). An uncovered
//! character shows as an empty box, as the Start button's ⏎ once did.
#![cfg(feature = "gui")]

use bevy_egui::egui;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// Every character of the source (interface strings live in it) and of the scenarios.
fn characters_shown() -> BTreeSet<(char, String)> {
    let mut files = Vec::new();
    files_under(Path::new("src"), "rs", &mut files);
    files_under(Path::new("scenarios"), "ron", &mut files);
    let mut chars = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable");
        for c in text.chars().filter(|c| !c.is_control()) {
            chars.insert((c, f.display().to_string()));
        }
    }
    chars
}

#[test]
fn every_character_the_app_can_show_has_a_glyph() {
    let ctx = egui::Context::default();
    rapport::app::theme::install_fonts(&ctx);
    // Fonts are laid out on the first pass.
    let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
    output.textures_delta.clear();
    let font = egui::FontId::proportional(15.0);
    let mut missing: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for (c, file) in characters_shown() {
        if !seen.insert(c) && !missing.iter().any(|m| m.starts_with(c)) {
            continue;
        }
        if !ctx.fonts_mut(|f| f.has_glyph(&font, c)) {
            missing.push(format!("{c} (U+{:04X}) in {file}", c as u32));
        }
    }
    assert!(
        missing.is_empty(),
        "characters no loaded font has:\n{}",
        missing.join("\n")
    );
    assert!(
        !ctx.fonts_mut(|f| f.has_glyph(&font, '\u{23CE}')),
        "the check can fail: ⏎ is in none of the fonts"
    );
}
