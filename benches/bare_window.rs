//! The comparison point for docs/performance.md: a bare Bevy 0.19 + bevy_egui 0.42 window with
//! one label, built with the same features as Rapport. It only opens when asked to
//! (`RAPPORT_BARE_WINDOW=1`), so `cargo bench` passes over it.

#[cfg(feature = "gui")]
fn main() {
    use bevy::prelude::*;
    use bevy_egui::{EguiContexts, EguiPlugin, EguiPrimaryContextPass, egui};
    if std::env::var_os("RAPPORT_BARE_WINDOW").is_none() {
        println!("bare_window: set RAPPORT_BARE_WINDOW=1 to open the comparison window");
        return;
    }
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            resolution: (1280, 800).into(),
            ..default()
        }),
        ..default()
    }))
    .add_plugins(EguiPlugin::default())
    .add_systems(Startup, |mut commands: Commands| {
        commands.spawn(Camera2d);
    })
    .add_systems(
        EguiPrimaryContextPass,
        |mut contexts: EguiContexts| -> Result {
            egui::CentralPanel::default().show(&mut super_root(contexts.ctx_mut()?), |ui| {
                ui.label("bare window");
            });
            Ok(())
        },
    );
    if std::env::var_os("RAPPORT_BARE_DESKTOP_APP").is_some() {
        app.insert_resource(bevy::winit::WinitSettings::desktop_app());
    }
    app.run();
}

#[cfg(feature = "gui")]
fn super_root(ctx: &bevy_egui::egui::Context) -> bevy_egui::egui::Ui {
    use bevy_egui::egui;
    egui::Ui::new(
        ctx.clone(),
        "bare".into(),
        egui::UiBuilder::new()
            .layer_id(egui::LayerId::background())
            .max_rect(ctx.content_rect()),
    )
}

#[cfg(not(feature = "gui"))]
fn main() {}
