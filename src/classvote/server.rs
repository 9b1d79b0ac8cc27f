//! The class vote's web server: a small page for the students' phones and a JSON API on the
//! address the presenter picks, run by axum on its own thread (never the app's UI thread).
//! Every request is bounded and checked by the ballot box; stopping the server (closing the
//! vote, or dropping it when the app closes) frees the port.

use super::{MAX_BODY_BYTES, Refusal, VoteBox};
use crate::text::{T, tr};
use crate::vocabulary::Locale;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("page.js");
/// The port tried first when the presenter lets Rapport choose.
pub const PREFERRED_PORT: u16 = 8080;

/// Called after every join or counted vote: the app wakes its sleeping window with it, so
/// the projector's tally moves as the votes come in.
pub type Notify = Arc<dyn Fn() + Send + Sync>;

#[derive(Clone)]
struct Shared {
    ballots: Arc<Mutex<VoteBox>>,
    started: Instant,
    notify: Option<Notify>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, VoteBox> {
        // A panic while holding the lock cannot leave the box half-changed (every change is
        // one insert or one assignment), so a poisoned lock is still usable.
        self.ballots.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    fn changed(&self) {
        if let Some(notify) = &self.notify {
            notify();
        }
    }
}

/// A running class vote.
pub struct Server {
    /// Where it listens.
    pub address: SocketAddr,
    ballots: Arc<Mutex<VoteBox>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Where to listen for a setting (`auto`, or an address and port) — `auto` is this PC's
/// address on the local network (the one its default route leaves from; no packet is sent)
/// with port 8080, or loopback when the PC has no network.
pub fn choose_address(setting: &str) -> SocketAddr {
    if let Ok(addr) = setting.trim().parse::<SocketAddr>() {
        return addr;
    }
    let lan = UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|_| s))
        .and_then(|s| s.local_addr())
        .map(|a| a.ip())
        .ok()
        .filter(|ip| !ip.is_unspecified() && !ip.is_loopback());
    SocketAddr::new(lan.unwrap_or(IpAddr::from([127, 0, 0, 1])), PREFERRED_PORT)
}

impl Server {
    /// Starts serving at `address` (port 0: any free port; a taken preferred port falls back
    /// to a free one) with a new ballot box under `code`.
    pub fn start(address: SocketAddr, code: String, locale: Locale) -> std::io::Result<Server> {
        Server::start_with(address, code, locale, None)
    }

    /// `start`, calling `notify` whenever the tally changes.
    pub fn start_with(
        address: SocketAddr,
        code: String,
        locale: Locale,
        notify: Option<Notify>,
    ) -> std::io::Result<Server> {
        let listener = std::net::TcpListener::bind(address).or_else(|e| {
            if address.port() == PREFERRED_PORT {
                std::net::TcpListener::bind(SocketAddr::new(address.ip(), 0))
            } else {
                Err(e)
            }
        })?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let ballots = Arc::new(Mutex::new(VoteBox::new(code, locale)));
        let shared = Shared {
            ballots: ballots.clone(),
            started: Instant::now(),
            notify,
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("class-vote-worker")
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name("class-vote".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let app = router(shared);
                    let _ = axum::serve(
                        listener,
                        app.into_make_service_with_connect_info::<SocketAddr>(),
                    )
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
                });
                runtime.shutdown_background();
            })?;
        Ok(Server {
            address,
            ballots,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address students open (the QR code's content).
    pub fn url(&self) -> String {
        let code = self.with(|b| b.code().to_string());
        format!("http://{}/?c={code}", self.address)
    }

    /// Works on the ballot box (open, tally, close) from the presenter's side.
    pub fn with<R>(&self, f: impl FnOnce(&mut VoteBox) -> R) -> R {
        let mut guard = self.ballots.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// Stops the server and waits until the port is free.
    pub fn stop(mut self) {
        self.shut_down(true);
    }

    fn shut_down(&mut self, wait: bool) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take()
            && wait
        {
            let _ = thread.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // The app closing must not wait on a phone's connection: signal and let it end.
        self.shut_down(false);
    }
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/vote.js", get(script))
        .route("/api/ballot", get(ballot))
        .route("/api/join", post(join))
        .route("/api/vote", post(vote))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(shared)
}

fn with_safety_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    response
}

async fn page() -> Response {
    with_safety_headers(
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response(),
    )
}

async fn script() -> Response {
    with_safety_headers(
        (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            SCRIPT,
        )
            .into_response(),
    )
}

/// The page's words in the class's language, sent with every answer.
fn page_text(locale: Locale) -> Value {
    json!({
        "lang": if locale == Locale::ZhCn { "zh-CN" } else { "en" },
        "title": tr(T::ClassVote, locale),
        "enter_code": tr(T::VoteEnterCode, locale),
        "join": tr(T::VoteJoin, locale),
        "waiting": tr(T::VoteWaiting, locale),
        "voted": tr(T::VoteVoted, locale),
        "change": tr(T::VoteChange, locale),
        "closed": tr(T::VoteClosed, locale),
        "decision": tr(T::VoteDecision, locale),
        "offline": tr(T::VoteOffline, locale),
    })
}

fn json_answer(status: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    with_safety_headers((status, axum::Json(body)).into_response())
}

fn refused(refusal: Refusal, locale: Locale) -> Response {
    json_answer(
        refusal.status(),
        json!({"error": refusal.message(locale), "text": page_text(locale)}),
    )
}

fn short(field: &str, value: &str, max: usize) -> Result<(), Refusal> {
    if value.len() > max {
        Err(Refusal::Invalid(format!(
            "`{field}` is longer than {max} characters"
        )))
    } else {
        Ok(())
    }
}

async fn ballot(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let b = shared.lock();
    let code = query.get("code").map(String::as_str).unwrap_or("");
    let device = query.get("device").map(String::as_str);
    let checked = short("code", code, 8)
        .and_then(|_| device.map_or(Ok(()), |d| short("device", d, 32)))
        .and_then(|_| b.view(code, device));
    match checked {
        Ok(view) => json_answer(
            200,
            json!({
                "ballot": view.ballot,
                "open": view.open,
                "mine": view.mine,
                "text": page_text(b.locale),
            }),
        ),
        Err(r) => refused(r, b.locale),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JoinRequest {
    code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VoteRequest {
    code: String,
    device: String,
    ballot: u32,
    option: usize,
}

/// The body as `R`, or why not, in words that say where and what was expected.
fn parse<R: serde::de::DeserializeOwned>(
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<R, Refusal> {
    let body = body.map_err(|_| Refusal::TooLarge)?;
    serde_json::from_slice(&body).map_err(|e| Refusal::Invalid(format!("the request body: {e}")))
}

async fn join(
    State(shared): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let now = shared.now_ms();
    let mut b = shared.lock();
    let locale = b.locale;
    let joined = parse::<JoinRequest>(body)
        .and_then(|r| short("code", &r.code, 8).map(|_| r))
        .and_then(|r| b.join(&r.code, peer.ip(), now));
    drop(b);
    match joined {
        Ok(device) => {
            shared.changed();
            json_answer(200, json!({"device": device, "text": page_text(locale)}))
        }
        Err(r) => refused(r, locale),
    }
}

async fn vote(
    State(shared): State<Shared>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let now = shared.now_ms();
    let mut b = shared.lock();
    let locale = b.locale;
    let voted = parse::<VoteRequest>(body)
        .and_then(|r| short("code", &r.code, 8).map(|_| r))
        .and_then(|r| short("device", &r.device, 32).map(|_| r))
        .and_then(|r| b.vote(&r.code, &r.device, r.ballot, r.option, now));
    drop(b);
    match voted {
        Ok(mine) => {
            shared.changed();
            json_answer(200, json!({"mine": mine}))
        }
        Err(r) => refused(r, locale),
    }
}
