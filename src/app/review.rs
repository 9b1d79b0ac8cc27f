//! The debrief's analysis off the UI thread: the debrief opens at once, the best choice per
//! decision fills in when Bevy's compute pool has worked it out, and leaving the debrief
//! cancels the work.

use super::Screen;
use super::session::ActiveSession;
use crate::debrief::{Review, review};
use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, futures::check_ready};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The review under way, and which session it is for.
#[derive(Resource, Default)]
pub struct ReviewTask {
    running: Option<Running>,
}

struct Running {
    task: Task<Option<Review>>,
    cancel: Arc<AtomicBool>,
    /// The session's seed and number of decisions: a review of another session is dropped.
    for_session: (u64, usize),
}

impl ReviewTask {
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }
}

pub struct ReviewPlugin;

impl Plugin for ReviewPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ReviewTask>()
            .add_systems(
                Update,
                (start_review, finish_review)
                    .chain()
                    .run_if(in_state(Screen::Debrief)),
            )
            .add_systems(OnExit(Screen::Debrief), cancel_review);
    }
}

fn start_review(active: Res<ActiveSession>, mut review_task: ResMut<ReviewTask>) {
    let Some(run) = &active.current else {
        return;
    };
    let needs_review = run.debrief.as_ref().is_some_and(|d| !d.reviewed);
    if !needs_review || review_task.running.is_some() {
        return;
    }
    let session = run.session.clone();
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let task = AsyncComputeTaskPool::get().spawn(async move { review(&session, Some(&flag)) });
    review_task.running = Some(Running {
        task,
        cancel,
        for_session: (run.session.seed(), run.session.decisions().len()),
    });
}

fn finish_review(mut active: ResMut<ActiveSession>, mut review_task: ResMut<ReviewTask>) {
    let Some(running) = &mut review_task.running else {
        return;
    };
    let Some(result) = check_ready(&mut running.task) else {
        return;
    };
    let for_session = running.for_session;
    review_task.running = None;
    let (Some(run), Some(result)) = (&mut active.current, result) else {
        return;
    };
    if (run.session.seed(), run.session.decisions().len()) != for_session {
        return;
    }
    if let Some(d) = &mut run.debrief {
        d.decisions = result.decisions;
        d.exact = result.exact;
        d.reviewed = true;
    }
}

fn cancel_review(mut review_task: ResMut<ReviewTask>) {
    if let Some(running) = review_task.running.take() {
        running.cancel.store(true, Ordering::Relaxed);
    }
}
