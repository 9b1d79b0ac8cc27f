//! The customer's portrait, drawn in code: one character per personality, with an expression
//! for each mood. Vector shapes keep it sharp at any size, including on a projector.

use crate::vocabulary::{Mood, Personality};
use bevy_egui::egui::{
    self, Color32, Pos2, Rect, Sense, Shape, Stroke, Vec2,
    epaint::{CubicBezierShape, PathStroke, QuadraticBezierShape},
    pos2, vec2,
};

struct Look {
    backdrop: Color32,
    skin: Color32,
    hair: Color32,
    clothes: Color32,
    accent: Color32,
}

fn look(p: Personality) -> Look {
    match p {
        Personality::Dominant => Look {
            backdrop: Color32::from_rgb(0xdc, 0xe3, 0xee),
            skin: Color32::from_rgb(0xe8, 0xc0, 0x9c),
            hair: Color32::from_rgb(0x2b, 0x2b, 0x30),
            clothes: Color32::from_rgb(0x26, 0x32, 0x48),
            accent: Color32::from_rgb(0xb0, 0x24, 0x2c),
        },
        Personality::Expressive => Look {
            backdrop: Color32::from_rgb(0xfb, 0xe6, 0xd2),
            skin: Color32::from_rgb(0xf1, 0xcd, 0xaa),
            hair: Color32::from_rgb(0x5a, 0x2e, 0x1e),
            clothes: Color32::from_rgb(0xe0, 0x6c, 0x2f),
            accent: Color32::from_rgb(0x2a, 0x9d, 0x8f),
        },
        Personality::Amiable => Look {
            backdrop: Color32::from_rgb(0xdf, 0xef, 0xdf),
            skin: Color32::from_rgb(0xf0, 0xd0, 0xb2),
            hair: Color32::from_rgb(0x7a, 0x52, 0x36),
            clothes: Color32::from_rgb(0x6f, 0x9a, 0x74),
            accent: Color32::from_rgb(0xf3, 0xe9, 0xd2),
        },
        Personality::Analytical => Look {
            backdrop: Color32::from_rgb(0xe2, 0xe8, 0xec),
            skin: Color32::from_rgb(0xea, 0xc7, 0xa6),
            hair: Color32::from_rgb(0x3b, 0x33, 0x2e),
            clothes: Color32::from_rgb(0x8c, 0xa9, 0xc4),
            accent: Color32::from_rgb(0x30, 0x30, 0x34),
        },
    }
}

/// Draws the portrait into a square of `size` points and returns its response.
pub fn portrait(
    ui: &mut egui::Ui,
    personality: Option<Personality>,
    mood: Mood,
    size: f32,
) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
    if ui.is_rect_visible(rect) {
        paint(ui.painter(), rect, personality, mood);
    }
    response
}

/// Paints into `rect`. With no personality (a drawn one not yet diagnosed) the figure is a
/// neutral silhouette whose face still shows the mood.
pub fn paint(painter: &egui::Painter, rect: Rect, personality: Option<Personality>, mood: Mood) {
    let s = rect.width() / 100.0;
    let at = |x: f32, y: f32| pos2(rect.left() + x * s, rect.top() + y * s);
    let l = personality.map(look).unwrap_or(Look {
        backdrop: Color32::from_rgb(0xe6, 0xe6, 0xea),
        skin: Color32::from_rgb(0xe6, 0xc6, 0xa8),
        hair: Color32::from_rgb(0x55, 0x55, 0x5c),
        clothes: Color32::from_rgb(0x8a, 0x8f, 0x99),
        accent: Color32::from_rgb(0xb8, 0xbc, 0xc4),
    });
    painter.rect_filled(rect, 10.0 * s, l.backdrop);

    // Shoulders and body.
    let body = vec![
        at(12.0, 100.0),
        at(16.0, 80.0),
        at(30.0, 71.0),
        at(70.0, 71.0),
        at(84.0, 80.0),
        at(88.0, 100.0),
    ];
    painter.add(Shape::convex_polygon(body, l.clothes, Stroke::NONE));
    painter.rect_filled(
        Rect::from_min_max(at(43.0, 58.0), at(57.0, 73.0)),
        2.0 * s,
        l.skin,
    );

    match personality {
        Some(Personality::Dominant) => {
            // White collar and a red tie.
            painter.add(Shape::convex_polygon(
                vec![at(40.0, 71.0), at(50.0, 80.0), at(60.0, 71.0)],
                Color32::WHITE,
                Stroke::NONE,
            ));
            painter.add(Shape::convex_polygon(
                vec![
                    at(48.0, 75.0),
                    at(52.0, 75.0),
                    at(54.0, 95.0),
                    at(50.0, 100.0),
                    at(46.0, 95.0),
                ],
                l.accent,
                Stroke::NONE,
            ));
        }
        Some(Personality::Expressive) => {
            // A bright scarf.
            painter.add(Shape::convex_polygon(
                vec![
                    at(34.0, 70.0),
                    at(66.0, 70.0),
                    at(58.0, 82.0),
                    at(42.0, 82.0),
                ],
                l.accent,
                Stroke::NONE,
            ));
            painter.add(Shape::convex_polygon(
                vec![
                    at(54.0, 78.0),
                    at(62.0, 80.0),
                    at(60.0, 96.0),
                    at(53.0, 94.0),
                ],
                l.accent,
                Stroke::NONE,
            ));
        }
        Some(Personality::Amiable) => {
            // A cardigan over a light blouse, with buttons.
            painter.add(Shape::convex_polygon(
                vec![
                    at(42.0, 71.0),
                    at(58.0, 71.0),
                    at(53.0, 100.0),
                    at(47.0, 100.0),
                ],
                l.accent,
                Stroke::NONE,
            ));
            for y in [82.0, 90.0, 98.0] {
                painter.circle_filled(at(55.5, y), 1.2 * s, Color32::from_rgb(0x4d, 0x6e, 0x52));
            }
        }
        Some(Personality::Analytical) => {
            // Shirt with a pen in the pocket.
            painter.add(Shape::convex_polygon(
                vec![at(42.0, 71.0), at(50.0, 78.0), at(58.0, 71.0)],
                Color32::WHITE,
                Stroke::NONE,
            ));
            painter.rect_filled(
                Rect::from_min_max(at(60.0, 82.0), at(70.0, 88.0)),
                1.0 * s,
                Color32::from_rgb(0x7b, 0x98, 0xb3),
            );
            painter.rect_filled(
                Rect::from_min_max(at(62.0, 76.0), at(63.6, 85.0)),
                0.5 * s,
                Color32::from_rgb(0x1d, 0x3a, 0x6b),
            );
        }
        None => {}
    }

    // Hair behind the head.
    match personality {
        Some(Personality::Expressive) => {
            for (x, y, r) in [
                (33.0, 36.0, 13.0),
                (67.0, 36.0, 13.0),
                (50.0, 24.0, 17.0),
                (36.0, 52.0, 10.0),
                (64.0, 52.0, 10.0),
                (31.0, 62.0, 7.0),
                (69.0, 62.0, 7.0),
            ] {
                painter.circle_filled(at(x, y), r * s, l.hair);
            }
        }
        Some(Personality::Amiable) => {
            painter.add(Shape::convex_polygon(
                vec![
                    at(30.0, 40.0),
                    at(36.0, 22.0),
                    at(50.0, 17.0),
                    at(64.0, 22.0),
                    at(70.0, 40.0),
                    at(71.0, 60.0),
                    at(29.0, 60.0),
                ],
                l.hair,
                Stroke::NONE,
            ));
        }
        _ => {}
    }

    // Head and ears.
    painter.circle_filled(at(33.0, 42.0), 4.0 * s, l.skin);
    painter.circle_filled(at(67.0, 42.0), 4.0 * s, l.skin);
    let head = Rect::from_center_size(at(50.0, 40.0), vec2(34.0 * s, 40.0 * s));
    painter.add(egui::epaint::EllipseShape::filled(
        head.center(),
        head.size() / 2.0,
        l.skin,
    ));

    // Hair on top.
    match personality {
        Some(Personality::Dominant) => {
            painter.add(Shape::convex_polygon(
                vec![
                    at(33.0, 34.0),
                    at(34.0, 24.0),
                    at(42.0, 19.0),
                    at(58.0, 19.0),
                    at(66.0, 24.0),
                    at(67.0, 34.0),
                    at(62.0, 27.0),
                    at(38.0, 27.0),
                ],
                l.hair,
                Stroke::NONE,
            ));
            painter.rect_filled(
                Rect::from_min_max(at(33.0, 30.0), at(36.0, 40.0)),
                1.0,
                Color32::from_rgb(0x8d, 0x8d, 0x92),
            );
            painter.rect_filled(
                Rect::from_min_max(at(64.0, 30.0), at(67.0, 40.0)),
                1.0,
                Color32::from_rgb(0x8d, 0x8d, 0x92),
            );
        }
        Some(Personality::Expressive) => {
            painter.add(Shape::convex_polygon(
                vec![
                    at(34.0, 32.0),
                    at(40.0, 21.0),
                    at(56.0, 19.0),
                    at(66.0, 27.0),
                    at(54.0, 27.0),
                    at(44.0, 31.0),
                ],
                l.hair,
                Stroke::NONE,
            ));
            painter.circle_filled(at(33.0, 48.0), 1.6 * s, Color32::from_rgb(0xf2, 0xc1, 0x4e));
            painter.circle_filled(at(67.0, 48.0), 1.6 * s, Color32::from_rgb(0xf2, 0xc1, 0x4e));
        }
        Some(Personality::Amiable) => {
            painter.add(Shape::convex_polygon(
                vec![
                    at(34.0, 33.0),
                    at(38.0, 23.0),
                    at(50.0, 20.0),
                    at(62.0, 23.0),
                    at(66.0, 33.0),
                    at(50.0, 29.0),
                ],
                l.hair,
                Stroke::NONE,
            ));
        }
        Some(Personality::Analytical) => {
            painter.add(Shape::convex_polygon(
                vec![
                    at(34.0, 34.0),
                    at(36.0, 24.0),
                    at(46.0, 19.0),
                    at(60.0, 20.0),
                    at(66.0, 27.0),
                    at(66.0, 32.0),
                    at(47.0, 27.0),
                ],
                l.hair,
                Stroke::NONE,
            ));
        }
        None => {
            painter.add(Shape::convex_polygon(
                vec![
                    at(34.0, 33.0),
                    at(38.0, 23.0),
                    at(50.0, 20.0),
                    at(62.0, 23.0),
                    at(66.0, 33.0),
                    at(50.0, 28.0),
                ],
                l.hair,
                Stroke::NONE,
            ));
        }
    }

    face(
        painter,
        &at,
        s,
        mood,
        personality == Some(Personality::Analytical),
        l.accent,
    );
}

fn face(
    painter: &egui::Painter,
    at: &dyn Fn(f32, f32) -> Pos2,
    s: f32,
    mood: Mood,
    glasses: bool,
    frame: Color32,
) {
    let ink = Color32::from_rgb(0x33, 0x2a, 0x26);
    let brow = Stroke::new(1.6 * s, ink);
    // Eyebrows: arched when pleased, knitted when displeased, one raised in doubt.
    let (left_brow, right_brow) = match mood {
        Mood::Pleased => (
            [(39.0, 33.0), (43.0, 31.0), (47.0, 33.0)],
            [(53.0, 33.0), (57.0, 31.0), (61.0, 33.0)],
        ),
        Mood::Neutral => (
            [(39.0, 33.0), (43.0, 32.5), (47.0, 33.0)],
            [(53.0, 33.0), (57.0, 32.5), (61.0, 33.0)],
        ),
        Mood::Doubtful => (
            [(39.0, 33.5), (43.0, 33.0), (47.0, 33.5)],
            [(53.0, 31.0), (57.0, 29.5), (61.0, 31.0)],
        ),
        Mood::Displeased => (
            [(39.0, 31.5), (43.0, 33.0), (47.5, 35.0)],
            [(52.5, 35.0), (57.0, 33.0), (61.0, 31.5)],
        ),
    };
    for b in [left_brow, right_brow] {
        painter.add(QuadraticBezierShape::from_points_stroke(
            [at(b[0].0, b[0].1), at(b[1].0, b[1].1), at(b[2].0, b[2].1)],
            false,
            Color32::TRANSPARENT,
            PathStroke::from(brow),
        ));
    }
    // Eyes: pleased eyes are happy arcs; the others are dots.
    for x in [43.0, 57.0] {
        match mood {
            Mood::Pleased => {
                painter.add(QuadraticBezierShape::from_points_stroke(
                    [at(x - 2.5, 39.0), at(x, 36.5), at(x + 2.5, 39.0)],
                    false,
                    Color32::TRANSPARENT,
                    PathStroke::from(Stroke::new(1.5 * s, ink)),
                ));
            }
            _ => {
                painter.circle_filled(at(x, 38.5), 1.7 * s, ink);
            }
        }
    }
    if glasses {
        let stroke = Stroke::new(1.2 * s, frame);
        painter.rect_stroke(
            Rect::from_center_size(at(43.0, 38.5), vec2(9.0 * s, 6.5 * s)),
            2.0 * s,
            stroke,
            egui::StrokeKind::Middle,
        );
        painter.rect_stroke(
            Rect::from_center_size(at(57.0, 38.5), vec2(9.0 * s, 6.5 * s)),
            2.0 * s,
            stroke,
            egui::StrokeKind::Middle,
        );
        painter.line_segment([at(47.5, 38.0), at(52.5, 38.0)], stroke);
    }
    // Nose.
    painter.line_segment(
        [at(50.0, 41.0), at(49.0, 46.0)],
        Stroke::new(1.0 * s, Color32::from_rgb(0xb8, 0x8a, 0x6a)),
    );
    // Mouth.
    let mouth = Stroke::new(1.8 * s, Color32::from_rgb(0x8a, 0x3b, 0x34));
    let points = match mood {
        Mood::Pleased => [
            at(43.0, 50.0),
            at(46.5, 54.5),
            at(53.5, 54.5),
            at(57.0, 50.0),
        ],
        Mood::Neutral => [
            at(44.5, 51.5),
            at(48.0, 52.0),
            at(52.0, 52.0),
            at(55.5, 51.5),
        ],
        Mood::Doubtful => [
            at(44.5, 52.5),
            at(48.0, 52.0),
            at(52.0, 51.0),
            at(55.5, 50.0),
        ],
        Mood::Displeased => [
            at(44.0, 54.0),
            at(47.0, 50.5),
            at(53.0, 50.5),
            at(56.0, 54.0),
        ],
    };
    painter.add(CubicBezierShape::from_points_stroke(
        points,
        false,
        Color32::TRANSPARENT,
        PathStroke::from(mouth),
    ));
    if mood == Mood::Pleased {
        for x in [39.0, 61.0] {
            painter.circle_filled(
                at(x, 46.0),
                2.5 * s,
                Color32::from_rgba_unmultiplied(0xe8, 0x8a, 0x80, 70),
            );
        }
    }
}
