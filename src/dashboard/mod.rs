//! The live dashboard and the HTML run report: two readers of [`crate::events::state`].
//!
//! The dashboard is a small HTTP server (tiny_http, on a thread of its own) serving a static page
//! that polls `/json/run` (with the part jobs changed since its last poll) and `/json/workers`,
//! plus `/health` and Prometheus text at `/metrics`. The report is the same page with the whole
//! run inline as JSON, written once at the end.

mod report;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::events::state::SharedState;
use crate::events::Events;

pub use report::{report_html, write_report};

/// Part jobs sent in one `/json/run` answer at most (the page asks again for the rest).
const TASKS_PER_ANSWER: usize = 5000;

const PAGE: &str = include_str!("page.html");
const VIEW: &str = include_str!("view.js");
const LIVE: &str = include_str!("live.js");
const REPORT: &str = include_str!("report.js");

/// The page with its script; `data` is an inline JSON script element (the report's) or empty.
fn page(title: &str, main: &str, data: &str) -> String {
    PAGE.replace("{{TITLE}}", title)
        .replace("{{DATA}}", data)
        .replace("{{VIEW}}", VIEW)
        .replace("{{MAIN}}", main)
}

/// Parses `[ADDR:]PORT`: a port alone binds 127.0.0.1.
pub fn parse_address(s: &str) -> std::result::Result<SocketAddr, String> {
    let t = s.trim();
    let full = if t.contains(':') {
        t.to_string()
    } else {
        format!("127.0.0.1:{t}")
    };
    full.parse::<SocketAddr>()
        .map_err(|_| format!("'{s}' is not [ADDR:]PORT, such as 8787 or 0.0.0.0:8787"))
}

/// What a dashboard shows: a run's live state (and the time of the run's clock), plus pages of
/// its own (a pool's history of computations).
pub trait Source: Send + Sync {
    /// The state to show now and the seconds of its run so far.
    fn current(&self) -> (SharedState, f64);
    /// A page the dashboard does not serve itself: (status, content type, body).
    fn extra(&self, _path: &str) -> Option<(u16, &'static str, String)> {
        None
    }
}

/// One run's state and events.
struct OneRun(SharedState, Events);

impl Source for OneRun {
    fn current(&self) -> (SharedState, f64) {
        (self.0.clone(), self.1.elapsed())
    }
}

/// A running dashboard server; stops when dropped.
pub struct Dashboard {
    server: Arc<tiny_http::Server>,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Dashboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dashboard")
            .field("addr", &self.addr)
            .finish()
    }
}

impl Dashboard {
    /// Binds `addr` (port 0 picks a free one) and serves `state` until stopped.
    pub fn start(addr: SocketAddr, state: SharedState, events: &Events) -> Result<Dashboard> {
        Dashboard::start_source(addr, Arc::new(OneRun(state, events.clone())))
    }

    /// Binds `addr` (port 0 picks a free one) and serves what `source` shows until stopped.
    pub fn start_source(addr: SocketAddr, source: Arc<dyn Source>) -> Result<Dashboard> {
        let server = tiny_http::Server::http(addr)
            .map_err(|e| Error::Invalid(format!("--dashboard {addr}: cannot listen: {e}")))?;
        let bound = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| Error::Internal("the dashboard is not on an IP address".into()))?;
        let server = Arc::new(server);
        let stop = Arc::new(AtomicBool::new(false));
        let (srv, s) = (server.clone(), stop.clone());
        let handle = std::thread::Builder::new()
            .name("ftpart-dashboard".into())
            .spawn(move || {
                let page = page("ftpart run", LIVE, "");
                while !s.load(Ordering::SeqCst) {
                    match srv.recv_timeout(Duration::from_millis(100)) {
                        Ok(Some(req)) => answer(req, &page, source.as_ref()),
                        Ok(None) => {}
                        Err(_) => return,
                    }
                }
            })
            .map_err(|e| Error::Internal(format!("starting the dashboard thread: {e}")))?;
        Ok(Dashboard {
            server,
            addr: bound,
            stop,
            handle: Some(handle),
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its page's address.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Stops serving.
    pub fn stop(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.server.unblock();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The value of query parameter `key` in `url`, as a number.
fn query_number(url: &str, key: &str) -> Option<u64> {
    let q = url.split_once('?')?.1;
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| v.parse().ok())
}

fn answer(req: tiny_http::Request, page: &str, source: &dyn Source) {
    let url = req.url().to_string();
    let path = url.split('?').next().unwrap_or("");
    let (state, now) = source.current();
    let extra = source.extra(path);
    let (status, kind, body) = match (path, state.lock()) {
        (_, _) if extra.is_some() => extra.unwrap_or_default(),
        ("/" | "/index.html", _) => (200, "text/html; charset=utf-8", page.to_string()),
        ("/health", _) => (200, "application/json", r#"{"status":"ok"}"#.to_string()),
        ("/json/run", Ok(s)) => (
            200,
            "application/json",
            s.run_json(
                query_number(&url, "since").unwrap_or(0),
                TASKS_PER_ANSWER,
                now,
            )
            .to_string(),
        ),
        ("/json/workers", Ok(s)) => (
            200,
            "application/json",
            s.workers_json(query_number(&url, "history").unwrap_or(120) as usize)
                .to_string(),
        ),
        ("/metrics", Ok(s)) => (200, "text/plain; version=0.0.4", s.metrics(now)),
        ("/json/run" | "/json/workers" | "/metrics", Err(_)) => (
            500,
            "text/plain",
            "the run's state is unreadable (a reader panicked)".to_string(),
        ),
        _ => (404, "text/plain", format!("no page at {path}")),
    };
    let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], kind.as_bytes());
    let mut resp = tiny_http::Response::from_string(body).with_status_code(status);
    if let Ok(h) = header {
        resp = resp.with_header(h);
    }
    // A browser that went away mid-answer is no error of the run.
    let _ = req.respond(resp);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_alone_binds_the_loopback_address() {
        assert_eq!(parse_address("8787").unwrap().to_string(), "127.0.0.1:8787");
        assert_eq!(parse_address("0.0.0.0:0").unwrap().to_string(), "0.0.0.0:0");
        assert!(parse_address("eighty").unwrap_err().contains("[ADDR:]PORT"));
    }

    #[test]
    fn query_numbers() {
        assert_eq!(query_number("/json/run?since=12", "since"), Some(12));
        assert_eq!(query_number("/json/run?a=1&since=3", "since"), Some(3));
        assert_eq!(query_number("/json/run", "since"), None);
    }
}
