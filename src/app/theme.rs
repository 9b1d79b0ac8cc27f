//! The look: the bundled CJK font, a calm professional palette, and text scaled for the
//! screen or the projector.

use super::settings::Settings;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

pub const BACKGROUND: Color = Color::srgb(0.965, 0.969, 0.976);
pub const ACCENT: egui::Color32 = egui::Color32::from_rgb(0x1f, 0x5f, 0x8b);
pub const GOOD: egui::Color32 = egui::Color32::from_rgb(0x2e, 0x7d, 0x4f);
pub const BAD: egui::Color32 = egui::Color32::from_rgb(0xb2, 0x3b, 0x3b);
pub const MUTED: egui::Color32 = egui::Color32::from_rgb(0x5f, 0x66, 0x70);
pub const PANEL: egui::Color32 = egui::Color32::from_rgb(0xff, 0xff, 0xff);
pub const CUSTOMER_BUBBLE: egui::Color32 = egui::Color32::from_rgb(0xee, 0xf2, 0xf7);
pub const TRAINEE_BUBBLE: egui::Color32 = egui::Color32::from_rgb(0xe3, 0xf0, 0xe8);
pub const COACH_BUBBLE: egui::Color32 = egui::Color32::from_rgb(0xfd, 0xf6, 0xe3);

const FONT_NAME: &str = "noto-sans-sc";

pub struct ThemePlugin;

impl Plugin for ThemePlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(EguiPrimaryContextPass, apply_theme);
    }
}

/// The bundled CJK font, built into the binary: Chinese renders wherever the executable is
/// started from, and egui reads it in place, so only the parts in use take memory (a font
/// read from a file into a `Vec` is held twice, since egui copies owned font data).
const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Rapport.otf");

pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    fonts.font_data.insert(
        FONT_NAME.into(),
        std::sync::Arc::new(egui::FontData::from_static(CJK_FONT)),
    );
    for family in [egui::FontFamily::Proportional, egui::FontFamily::Monospace] {
        // After egui's Latin font, so Latin keeps its look and Chinese falls through to ours.
        fonts
            .families
            .entry(family)
            .or_default()
            .push(FONT_NAME.into());
    }
    ctx.set_fonts(fonts);
}

pub fn style_for(settings: &Settings) -> egui::Style {
    let mut style = egui::Style::default();
    let scale = settings.text_scale * if settings.presentation { 1.45 } else { 1.0 };
    use egui::{FontFamily::Proportional, FontId, TextStyle};
    style.text_styles = [
        (TextStyle::Heading, FontId::new(24.0 * scale, Proportional)),
        (TextStyle::Body, FontId::new(15.0 * scale, Proportional)),
        (TextStyle::Button, FontId::new(15.0 * scale, Proportional)),
        (TextStyle::Small, FontId::new(12.0 * scale, Proportional)),
        (
            TextStyle::Monospace,
            FontId::new(14.0 * scale, egui::FontFamily::Monospace),
        ),
    ]
    .into();
    let mut visuals = egui::Visuals::light();
    visuals.panel_fill = egui::Color32::from_rgb(0xf6, 0xf7, 0xf9);
    visuals.window_fill = PANEL;
    visuals.selection.bg_fill = ACCENT;
    visuals.hyperlink_color = ACCENT;
    visuals.widgets.hovered.bg_stroke = egui::Stroke::new(1.0, ACCENT);
    style.visuals = visuals;
    style.spacing.item_spacing = egui::vec2(8.0, 6.0) * scale.min(1.3);
    style.spacing.button_padding = egui::vec2(10.0, 5.0) * scale.min(1.3);
    style
}

fn apply_theme(
    mut contexts: EguiContexts,
    settings: Res<Settings>,
    mut fonts_done: Local<bool>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    if !*fonts_done {
        install_fonts(ctx);
        *fonts_done = true;
        ctx.set_global_style(style_for(&settings));
    } else if settings.is_changed() {
        ctx.set_global_style(style_for(&settings));
    }
    Ok(())
}
