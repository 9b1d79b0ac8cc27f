//! The screens, one plugin each, and what they share: the root `Ui`, the top bar, key input.

pub mod account;
pub mod briefing;
pub mod class;
pub mod debrief;
pub mod library;
pub mod progress;
pub mod roleplay;
pub mod settings;

use super::Screen;
use super::session::Intent;
use crate::text::{T, tr};
use crate::vocabulary::Locale;
use bevy::prelude::*;
use bevy_egui::egui;

pub struct ScreensPlugin;

impl Plugin for ScreensPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugins((
            library::LibraryScreenPlugin,
            briefing::BriefingScreenPlugin,
            roleplay::RolePlayScreenPlugin,
            debrief::DebriefScreenPlugin,
            settings::SettingsScreenPlugin,
            progress::ProgressScreenPlugin,
            account::AccountScreenPlugin,
            class::ClassScreenPlugin,
        ))
        .add_systems(Update, announce_screen);
    }
}

/// Logs each screen as it opens: the smoke test checks that each screenshot is the screen
/// it asked for, and a trainer's log shows where the app was.
fn announce_screen(screen: Res<State<crate::app::Screen>>) {
    if screen.is_changed() {
        info!("screen: {:?}", screen.get());
    }
}

/// A `Ui` covering the whole window, for the panels of a screen.
pub fn root_ui(ctx: &egui::Context) -> egui::Ui {
    egui::Ui::new(
        ctx.clone(),
        "rapport-root".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.content_rect()),
    )
}

/// The bar at the top of every screen: where you are and where you can go.
pub fn top_bar(ui: &mut egui::Ui, screen: Screen, locale: Locale) -> Option<Intent> {
    let mut intent = None;
    egui::Panel::top("top-bar")
        .frame(
            egui::Frame::NONE
                .fill(super::theme::ACCENT)
                .inner_margin(egui::Margin::symmetric(14, 8)),
        )
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(
                    egui::RichText::new("Rapport")
                        .strong()
                        .color(egui::Color32::WHITE)
                        .size(20.0),
                );
                ui.add_space(16.0);
                for (target, label) in [
                    (Screen::Library, T::Library),
                    (Screen::Progress, T::Progress),
                    (Screen::Class, T::ClassView),
                    (Screen::Settings, T::Settings),
                ] {
                    let selected = screen == target;
                    let text = egui::RichText::new(tr(label, locale)).color(if selected {
                        egui::Color32::WHITE
                    } else {
                        egui::Color32::from_rgb(0xc8, 0xd8, 0xe6)
                    });
                    if ui.add(egui::Button::new(text).frame(false)).clicked() && !selected {
                        intent = Some(Intent::Navigate(target));
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let other = match locale {
                        Locale::En => Locale::ZhCn,
                        Locale::ZhCn => Locale::En,
                    };
                    let label = crate::text::locale_name(other);
                    if ui
                        .add(
                            egui::Button::new(
                                egui::RichText::new(label).color(egui::Color32::WHITE),
                            )
                            .frame(false),
                        )
                        .clicked()
                    {
                        intent = Some(Intent::SetLanguage(other));
                    }
                });
            });
        });
    intent
}

/// The number key pressed this frame (1–9), as a 0-based index.
pub fn number_key(ctx: &egui::Context) -> Option<usize> {
    use egui::Key::*;
    let keys = [Num1, Num2, Num3, Num4, Num5, Num6, Num7, Num8, Num9];
    ctx.input(|i| keys.iter().position(|k| i.key_pressed(*k)))
}

/// Whether a key was pressed while no text field has focus.
pub fn key(ctx: &egui::Context, key: egui::Key) -> bool {
    !ctx.egui_wants_keyboard_input() && ctx.input(|i| i.key_pressed(key))
}

/// A heading in the accent colour.
pub fn section(ui: &mut egui::Ui, text: &str) {
    ui.add_space(6.0);
    ui.label(
        egui::RichText::new(text)
            .strong()
            .color(super::theme::ACCENT),
    );
}
