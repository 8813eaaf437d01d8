//! The pool process: accepts connections, queues computations, runs them on its workers.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use super::wire::{self, ComputeRequest, CutoffSpec, Hello, HelloReply, Reply, Request, Welcome};
use super::{state, SCHEME};
use crate::cutoff::{Cutoff, CutoffTable};
use crate::error::{Error, Result};
use crate::events::state::{RunState, SharedState};
use crate::events::{Events, RunEvent};
use crate::features::FeatureGraph;
use crate::matrix::MatrixOptions;
use crate::pool::{WorkerPool, WorkerPoolOptions};
use crate::shards::Shards;

/// Connections served at once; more are refused with a message.
const MAX_CONNECTIONS: usize = 64;
/// Time a client has to send its hello and request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Past computations kept for status and the dashboard.
const HISTORY: usize = 100;

/// Options of [`serve`].
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Shard directories served.
    pub shards: Vec<PathBuf>,
    /// Worker processes.
    pub workers: usize,
    /// Address to listen on (port 0 picks a free one).
    pub listen: SocketAddr,
    /// The token clients must send; `None` makes a random one. Binding to an address other than
    /// loopback requires a token (a random one counts).
    pub token: Option<String>,
    /// Serve the dashboard here.
    pub dashboard: Option<SocketAddr>,
    /// Bytes of shard files each worker keeps loaded.
    pub part_cache_bytes: u64,
    /// Retries of a part whose worker crashed.
    pub retries: u32,
    /// Worker address-space limit.
    pub memory_limit: Option<u64>,
    /// The `ftpart` executable for workers.
    pub program: Option<PathBuf>,
    /// The state file to write (`None`: none).
    pub state_file: Option<PathBuf>,
}

/// What a started pool tells its caller, once it listens.
#[derive(Debug, Clone)]
pub struct Served {
    /// `ftpart://HOST:PORT`.
    pub address: String,
    /// The token.
    pub token: String,
    /// The dashboard's URL.
    pub dashboard: Option<String>,
}

/// A computation in the queue or running.
#[derive(Debug, Clone)]
struct Ticket {
    id: u64,
    client: String,
    peer: String,
    shards: PathBuf,
    features: usize,
    queued_at: u64,
    started_at: Option<u64>,
    /// Set when its client went away.
    cancelled: Arc<AtomicBool>,
}

/// A finished computation.
struct Record {
    ticket: Ticket,
    finished_at: u64,
    seconds: f64,
    rows: usize,
    outcome: String,
    loads: usize,
    reuses: usize,
    state: Option<SharedState>,
}

#[derive(Default)]
struct Queue {
    waiting: VecDeque<Ticket>,
    running: Option<Ticket>,
}

/// The worker pool and what it has loaded.
struct Workers {
    pool: WorkerPool,
    /// Per worker slot, the (shard dir, part) it holds, as its load events said.
    held: BTreeMap<usize, BTreeSet<(PathBuf, usize)>>,
    /// Pid of each slot's current worker.
    pids: BTreeMap<usize, i32>,
}

struct Shared {
    opts: ServeOptions,
    token: String,
    address: String,
    dashboard_url: std::sync::OnceLock<String>,
    shards: Vec<PathBuf>,
    /// Set once the workers are stopped.
    down: AtomicBool,
    queue: Mutex<Queue>,
    turn: Condvar,
    workers: Mutex<Option<Workers>>,
    /// The workers' interrupt flag: set to cancel the running computation.
    cancel: Arc<AtomicBool>,
    stopping: AtomicBool,
    next_id: AtomicU64,
    connections: AtomicUsize,
    history: Mutex<VecDeque<Record>>,
    /// The running computation's events and state, for the dashboard.
    current: Mutex<Option<(Events, SharedState)>>,
    totals: Mutex<(u64, u64)>,
    started: Instant,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A random token: 32 bytes from the system's generator, hex.
fn random_token() -> Result<String> {
    use std::io::Read;
    let mut b = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .map_err(|e| Error::io("/dev/urandom", e))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Starts the pool and serves until it is stopped (`ftpart pool stop`, or `stop` set, e.g. by
/// Ctrl-C). `ready` is called once it listens. The workers are stopped and the state file
/// removed before it returns.
pub fn serve(
    opts: ServeOptions,
    stop: Arc<AtomicBool>,
    ready: &mut dyn FnMut(&Served),
) -> Result<()> {
    if opts.shards.is_empty() {
        return Err(Error::Invalid(
            "serve: name one or more shard directories".into(),
        ));
    }
    if !opts.listen.ip().is_loopback() && opts.token.as_deref().is_some_and(str::is_empty) {
        return Err(Error::Invalid(format!(
            "--listen {}: a pool on an address other than loopback needs a token",
            opts.listen
        )));
    }
    let mut shards = Vec::new();
    for d in &opts.shards {
        Shards::open(d)?;
        let c = std::fs::canonicalize(d).map_err(|e| Error::io(d, e))?;
        if !shards.contains(&c) {
            shards.push(c);
        }
    }
    let token = match &opts.token {
        Some(t) if !t.is_empty() => t.clone(),
        _ => random_token()?,
    };
    let listener = TcpListener::bind(opts.listen)
        .map_err(|e| Error::Invalid(format!("--listen {}: cannot listen: {e}", opts.listen)))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Error::Internal(format!("the pool's address: {e}")))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::Internal(format!("the pool's socket: {e}")))?;
    let cancel = Arc::new(AtomicBool::new(false));
    let pool = WorkerPool::start(WorkerPoolOptions {
        workers: opts.workers.max(1),
        retries: opts.retries,
        memory_limit: opts.memory_limit,
        program: opts.program.clone(),
        interrupt: Some(cancel.clone()),
        part_cache_bytes: opts.part_cache_bytes,
    })?;
    let pids = pool.pids().into_iter().enumerate().collect();
    let address = format!("{SCHEME}{bound}");
    let shared = Arc::new(Shared {
        token,
        address,
        dashboard_url: std::sync::OnceLock::new(),
        shards,
        down: AtomicBool::new(false),
        queue: Mutex::default(),
        turn: Condvar::new(),
        workers: Mutex::new(Some(Workers {
            pool,
            held: BTreeMap::new(),
            pids,
        })),
        cancel,
        stopping: AtomicBool::new(false),
        next_id: AtomicU64::new(1),
        connections: AtomicUsize::new(0),
        history: Mutex::default(),
        current: Mutex::default(),
        totals: Mutex::default(),
        started: Instant::now(),
        opts,
    });
    let dashboard = match shared.opts.dashboard {
        Some(addr) => Some(crate::dashboard::Dashboard::start_source(
            addr,
            Arc::new(PoolView(shared.clone())),
        )?),
        None => None,
    };
    if let Some(d) = &dashboard {
        let _ = shared.dashboard_url.set(d.url());
    }
    let dashboard_url = dashboard.as_ref().map(|d| d.url());
    let served = Served {
        address: shared.address.clone(),
        token: shared.token.clone(),
        dashboard: dashboard_url.clone(),
    };
    let pid = std::process::id();
    if let Some(p) = &shared.opts.state_file {
        state::write(
            p,
            &state::PoolState {
                address: shared.address.clone(),
                token: shared.token.clone(),
                pid,
                dashboard: dashboard_url,
                shards: shared.shards.clone(),
            },
        )?;
    }
    ready(&served);
    let mut threads = Vec::new();
    while !shared.stopping.load(Ordering::SeqCst) && !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((conn, peer)) => {
                let s = shared.clone();
                let n = s.connections.fetch_add(1, Ordering::SeqCst);
                let spawned = std::thread::Builder::new()
                    .name("ftpart-pool-conn".into())
                    .spawn(move || {
                        if n >= MAX_CONNECTIONS {
                            refuse(conn, "too many connections; try again later");
                        } else {
                            connection(&s, conn, peer);
                        }
                        s.connections.fetch_sub(1, Ordering::SeqCst);
                    });
                match spawned {
                    Ok(h) => threads.push(h),
                    Err(_) => {
                        shared.connections.fetch_sub(1, Ordering::SeqCst);
                    }
                }
                threads.retain(|h| !h.is_finished());
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    // Stopping: queued computations are refused, the running one cancelled; then the workers
    // are stopped, and only then are the connections closed (a `pool stop` client waits for it).
    shared.stopping.store(true, Ordering::SeqCst);
    shared.cancel.store(true, Ordering::SeqCst);
    shared.turn.notify_all();
    drop(listener);
    while lock(&shared.queue).running.is_some() {
        std::thread::sleep(Duration::from_millis(20));
    }
    let down = lock(&shared.workers).take().map(|w| w.pool.shutdown());
    shared.down.store(true, Ordering::SeqCst);
    if let Some(p) = &shared.opts.state_file {
        state::remove_if_ours(p, pid);
    }
    // Connections still open (a `pool stop` client waiting for this, an idle client) end with
    // the process; each has at most its request timeout left.
    let deadline = Instant::now() + Duration::from_secs(2);
    while threads.iter().any(|h| !h.is_finished()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    if let Some(d) = dashboard {
        d.stop();
    }
    if let Some(down) = down {
        down?;
    }
    Ok(())
}

fn refuse(mut conn: TcpStream, message: &str) {
    let _ = conn.set_write_timeout(Some(Duration::from_secs(2)));
    let _ = wire::write_frame(&mut conn, &HelloReply::Refused(message.to_string()));
}

/// One connection: hello, one request, its answer.
fn connection(s: &Arc<Shared>, mut conn: TcpStream, peer: SocketAddr) {
    let _ = conn.set_nonblocking(false);
    let _ = conn.set_nodelay(true);
    let _ = conn.set_read_timeout(Some(REQUEST_TIMEOUT));
    let _ = conn.set_write_timeout(Some(REQUEST_TIMEOUT));
    let hello: Hello = match wire::read_hello(&mut conn) {
        Ok(h) => h,
        Err(e) => return refuse(conn, &e.to_string()),
    };
    if hello.version != wire::VERSION {
        return refuse(
            conn,
            &format!(
                "wire version {}; this pool speaks version {}",
                hello.version,
                wire::VERSION
            ),
        );
    }
    if !wire::same_token(&hello.token, &s.token) {
        // Slow down guessing.
        std::thread::sleep(Duration::from_millis(200));
        return refuse(
            conn,
            "wrong token (use the address the pool printed, ftpart://TOKEN@HOST:PORT, or set FTPART_POOL_TOKEN)",
        );
    }
    let welcome = HelloReply::Welcome(Welcome {
        version: wire::VERSION,
        pid: std::process::id(),
    });
    if wire::write_frame(&mut conn, &welcome).is_err() {
        return;
    }
    let request: Request = match wire::read_frame(&mut conn, wire::MAX_REQUEST) {
        Ok(r) => r,
        Err(e) => {
            let _ = wire::write_frame(
                &mut conn,
                &Reply::Error {
                    message: e.to_string(),
                    input: true,
                },
            );
            return;
        }
    };
    let _ = conn.set_write_timeout(None);
    match request {
        Request::Status => {
            let _ = wire::write_frame(&mut conn, &Reply::Status(status(s).to_string()));
        }
        Request::Stop => {
            s.stopping.store(true, Ordering::SeqCst);
            s.cancel.store(true, Ordering::SeqCst);
            s.turn.notify_all();
            let _ = wire::write_frame(&mut conn, &Reply::Stopping);
            // The connection closes once the workers are gone: the client waits for that.
            let deadline = Instant::now() + Duration::from_secs(120);
            while !s.down.load(Ordering::SeqCst) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Request::Compute(req) => {
            let reply = compute(s, &conn, peer, req);
            let _ = wire::write_frame(&mut conn, &reply);
        }
    }
}

/// What a computation needs, checked before it queues.
struct Prepared {
    shards: Shards,
    graph: FeatureGraph,
    cutoff: Cutoff,
    opts: MatrixOptions,
    labels: Vec<String>,
    warnings: Vec<String>,
}

fn prepare(s: &Shared, req: &ComputeRequest) -> Result<Prepared> {
    let dir = match &req.shards {
        Some(d) => {
            let c = std::fs::canonicalize(d).map_err(|e| Error::io(d, e))?;
            s.shards.iter().find(|x| **x == c).cloned().ok_or_else(|| {
                Error::Invalid(format!(
                    "{}: this pool does not serve that shard directory (it serves {})",
                    d.display(),
                    list(&s.shards)
                ))
            })?
        }
        None if s.shards.len() == 1 => s.shards[0].clone(),
        None => {
            return Err(Error::Invalid(format!(
                "this pool serves {} shard directories ({}): name one",
                s.shards.len(),
                list(&s.shards)
            )))
        }
    };
    let shards = Shards::open(&dir)?;
    let v = FeatureGraph::parse(&req.features_json)
        .map_err(|e| Error::Invalid(format!("the features are {e}")))?;
    let graph = FeatureGraph::from_json(&v)?;
    crate::compute::check_features(&shards, &graph)?;
    let target = shards.schema.position(graph.target()).expect("checked");
    let training_window = match &req.training_window {
        Some(w) => Some(crate::time::parse_span(w).map_err(Error::Invalid)?),
        None => None,
    };
    let opts = MatrixOptions {
        time: crate::calc::TimeOptions {
            include_cutoff_time: req.include_cutoff_time,
            training_window,
        },
        cutoff_time_in_index: req.cutoff_time_in_index,
    };
    let numeric = shards.schema.numeric_time();
    if numeric && opts.time.training_window.is_some() {
        return Err(Error::Invalid(
            "--training-window needs Datetime time indexes; this entity set's are numeric".into(),
        ));
    }
    let cutoff = match &req.cutoff {
        CutoffSpec::Now => Cutoff::Now,
        CutoffSpec::Value(v) => Cutoff::parse_single(v, numeric)?,
        CutoffSpec::At(k) => Cutoff::At(*k),
        CutoffSpec::Table { ipc } => Cutoff::Table(CutoffTable::from_batch(
            &crate::compute::from_ipc_bytes(ipc)?,
            &shards.schema.dataframes[target],
            numeric,
            "the cutoff DataFrame",
        )?),
        CutoffSpec::File { name, bytes } => {
            let ext = Path::new(name)
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("csv");
            let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
            let path = dir.path().join(format!("cutoff.{ext}"));
            std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
            let t = CutoffTable::read_as(&path, name, &shards.schema.dataframes[target], numeric)?;
            Cutoff::Table(t)
        }
    };
    let labels = match &cutoff {
        Cutoff::Table(t) => t.extra.iter().map(|(n, _)| n.clone()).collect(),
        _ => Vec::new(),
    };
    let warnings = crate::matrix::warnings(&shards.schema, &graph, &opts);
    Ok(Prepared {
        shards,
        graph,
        cutoff,
        opts,
        labels,
        warnings,
    })
}

fn list(dirs: &[PathBuf]) -> String {
    dirs.iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn now_ms() -> u64 {
    crate::events::unix_ms()
}

/// Queues, waits for its turn, runs, records.
fn compute(s: &Arc<Shared>, conn: &TcpStream, peer: SocketAddr, req: ComputeRequest) -> Reply {
    let failed = |e: &Error| Reply::Error {
        message: e.to_string(),
        input: e.exit_code() == 2,
    };
    let prepared = match prepare(s, &req) {
        Ok(p) => p,
        Err(e) => return failed(&e),
    };
    let ticket = Ticket {
        id: s.next_id.fetch_add(1, Ordering::SeqCst),
        client: req.client.clone(),
        peer: peer.to_string(),
        shards: prepared.shards.dir.clone(),
        features: prepared.graph.output_names().len(),
        queued_at: now_ms(),
        started_at: None,
        cancelled: Arc::new(AtomicBool::new(false)),
    };
    let ahead = {
        let mut q = lock(&s.queue);
        q.waiting.push_back(ticket.clone());
        q.waiting.len() - 1 + usize::from(q.running.is_some())
    };
    let mut out = match conn.try_clone() {
        Ok(c) => c,
        Err(e) => return failed(&Error::Worker(e.to_string())),
    };
    if wire::write_frame(
        &mut out,
        &Reply::Queued {
            id: ticket.id,
            ahead,
        },
    )
    .is_err()
    {
        ticket.cancelled.store(true, Ordering::SeqCst);
    }
    // The client sends nothing more: a read that ends means it went away.
    let watcher = {
        let (s2, cancelled) = (s.clone(), ticket.cancelled.clone());
        let mut c = match conn.try_clone() {
            Ok(c) => c,
            Err(e) => return failed(&Error::Worker(e.to_string())),
        };
        let _ = c.set_read_timeout(None);
        let id = ticket.id;
        std::thread::spawn(move || {
            let mut b = [0u8; 1];
            let _ = std::io::Read::read(&mut c, &mut b);
            if !cancelled.swap(true, Ordering::SeqCst) {
                let q = lock(&s2.queue);
                if q.running.as_ref().is_some_and(|r| r.id == id) {
                    s2.cancel.store(true, Ordering::SeqCst);
                }
                drop(q);
                s2.turn.notify_all();
            }
        })
    };
    // Wait for the turn: first in the queue and nothing running.
    let waited = {
        let mut q = lock(&s.queue);
        loop {
            let stop = s.stopping.load(Ordering::SeqCst);
            let gone = ticket.cancelled.load(Ordering::SeqCst);
            if stop || gone {
                q.waiting.retain(|t| t.id != ticket.id);
                break Err(if stop {
                    Error::Invalid("the pool is stopping".into())
                } else {
                    Error::Interrupted
                });
            }
            if q.running.is_none() && q.waiting.front().is_some_and(|t| t.id == ticket.id) {
                let mut t = q.waiting.pop_front().expect("front");
                t.started_at = Some(now_ms());
                q.running = Some(t.clone());
                break Ok(t);
            }
            q = s
                .turn
                .wait_timeout(q, Duration::from_millis(200))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    };
    let reply = match &waited {
        Err(e) => {
            record(s, ticket.clone(), 0.0, 0, outcome(Some(e)), None, (0, 0));
            failed(e)
        }
        Ok(t) => {
            let t = t.clone();
            let reply = run(s, &t, prepared, out);
            // The next computation starts on a pool that is not cancelled.
            {
                let mut q = lock(&s.queue);
                q.running = None;
                if !s.stopping.load(Ordering::SeqCst) {
                    s.cancel.store(false, Ordering::SeqCst);
                }
            }
            s.turn.notify_all();
            reply
        }
    };
    // The watcher ends when the client closes, after reading the reply.
    drop(watcher);
    reply
}

/// Runs a computation on the workers; returns the reply.
fn run(s: &Arc<Shared>, t: &Ticket, p: Prepared, out: TcpStream) -> Reply {
    let events = Events::new();
    let state = crate::events::state::follow(&events);
    *lock(&s.current) = Some((events.clone(), state.clone()));
    let sampler = s
        .opts
        .dashboard
        .is_some()
        .then(|| crate::events::memory::Sampler::start(&events, Duration::from_millis(250)));
    if let Some(sm) = &sampler {
        sm.watch_shards(&p.shards.dir);
    }
    // Progress to the client, from a thread of its own so that a slow client never holds the
    // computation; a client that cannot be written to has gone.
    let (tx, rx) = std::sync::mpsc::channel::<Option<Reply>>();
    let end = tx.clone();
    let writer = {
        let cancelled = t.cancelled.clone();
        let mut out = out;
        std::thread::spawn(move || {
            // Until the end mark (or every sender is gone).
            while let Ok(Some(r)) = rx.recv() {
                if wire::write_frame(&mut out, &r).is_err() {
                    cancelled.store(true, Ordering::SeqCst);
                    return;
                }
            }
        })
    };
    let loaded = Arc::new(Mutex::new(Vec::<(usize, usize, bool)>::new()));
    {
        let loaded = loaded.clone();
        let mut round = (String::new(), 0usize, 0usize);
        events.subscribe(move |e| match &e.event {
            RunEvent::RoundStarted { round: r, jobs } => {
                round = (r.label().to_string(), 0, *jobs);
                let _ = tx.send(Some(Reply::Progress {
                    round: round.0.clone(),
                    done: 0,
                    total: round.2,
                }));
            }
            RunEvent::JobFinished { .. } => {
                round.1 += 1;
                let _ = tx.send(Some(Reply::Progress {
                    round: round.0.clone(),
                    done: round.1,
                    total: round.2,
                }));
            }
            RunEvent::PartLoaded {
                part,
                worker,
                reused,
                ..
            } => lock(&loaded).push((*worker, *part, *reused)),
            _ => {}
        });
    }
    let start = Instant::now();
    let mut guard = lock(&s.workers);
    let result = match guard.as_mut() {
        None => Err(Error::Invalid("the pool is stopping".into())),
        Some(w) => {
            events.emit(RunEvent::RunStarted {
                parts: p.shards.parts(),
                workers: w.pool.pids().len(),
                features: p.graph.output_names().len(),
                command: vec![t.client.clone()],
                inputs: vec![p.shards.dir.display().to_string()],
                unix_ms: now_ms(),
            });
            let fm = crate::compute::compute_observed(
                &p.shards,
                &p.graph,
                &p.cutoff,
                &p.opts,
                &mut w.pool,
                &events,
            );
            // What each worker holds now: a replaced worker holds nothing.
            let pids: BTreeMap<usize, i32> = lock(&state)
                .workers
                .iter()
                .filter_map(|(slot, wk)| wk.pids.last().map(|pid| (*slot, *pid)))
                .collect();
            for (slot, pid) in pids {
                if w.pids.get(&slot) != Some(&pid) {
                    w.held.remove(&slot);
                    w.pids.insert(slot, pid);
                }
            }
            if matches!(fm, Err(Error::Interrupted)) {
                // The workers were stopped: what they held is gone.
                w.held.clear();
            } else {
                for &(worker, part, _) in lock(&loaded).iter() {
                    w.held
                        .entry(worker)
                        .or_default()
                        .insert((p.shards.dir.clone(), part));
                }
            }
            fm
        }
    };
    drop(guard);
    let seconds = start.elapsed().as_secs_f64();
    let counts = {
        let l = lock(&loaded);
        (
            l.iter().filter(|x| !x.2).count(),
            l.iter().filter(|x| x.2).count(),
        )
    };
    {
        let mut tot = lock(&s.totals);
        tot.0 += counts.0 as u64;
        tot.1 += counts.1 as u64;
    }
    if let Some(sm) = sampler {
        sm.stop();
    }
    let result = result.and_then(|fm| {
        let ipc = crate::compute::ipc_bytes(&fm)?;
        let schema_json = serde_json::to_string(&p.shards.schema)
            .map_err(|e| Error::Internal(format!("the schema: {e}")))?;
        Ok((fm.num_rows(), ipc, schema_json))
    });
    let result = match result {
        Err(Error::Interrupted) if s.stopping.load(Ordering::SeqCst) => {
            Err(Error::Invalid("the pool is stopping".into()))
        }
        Err(Error::Interrupted) => Err(Error::Interrupted),
        other => other,
    };
    let (rows, error) = match &result {
        Ok((rows, _, _)) => (*rows, None),
        Err(e) => (0, Some(e.to_string())),
    };
    events.emit(RunEvent::RunFinished { rows, error });
    *lock(&s.current) = None;
    let reply = match result {
        Ok((_, ipc, schema_json)) => {
            record(
                s,
                t.clone(),
                seconds,
                rows,
                outcome(None),
                Some(state),
                counts,
            );
            Reply::Matrix {
                ipc,
                schema_json,
                labels: p.labels,
                warnings: p.warnings,
            }
        }
        Err(e) => {
            record(
                s,
                t.clone(),
                seconds,
                0,
                outcome(Some(&e)),
                Some(state),
                counts,
            );
            Reply::Error {
                message: match &e {
                    Error::Interrupted => "cancelled: the client went away".into(),
                    e => e.to_string(),
                },
                input: e.exit_code() == 2,
            }
        }
    };
    let _ = end.send(None);
    let _ = writer.join();
    reply
}

/// How a computation ended, for the history.
fn outcome(result: Option<&Error>) -> String {
    match result {
        None => "done".to_string(),
        Some(Error::Interrupted) => "cancelled".to_string(),
        Some(e) => format!("failed: {e}"),
    }
}

fn record(
    s: &Shared,
    ticket: Ticket,
    seconds: f64,
    rows: usize,
    outcome: String,
    state: Option<SharedState>,
    (loads, reuses): (usize, usize),
) {
    let mut h = lock(&s.history);
    h.push_back(Record {
        ticket,
        finished_at: now_ms(),
        seconds,
        rows,
        outcome,
        loads,
        reuses,
        state,
    });
    while h.len() > HISTORY {
        h.pop_front();
    }
}

fn ticket_json(t: &Ticket) -> serde_json::Value {
    json!({
        "id": t.id,
        "client": t.client,
        "peer": t.peer,
        "shards": t.shards,
        "features": t.features,
        "queued_unix_ms": t.queued_at,
        "started_unix_ms": t.started_at,
    })
}

fn history_json(s: &Shared) -> serde_json::Value {
    let h = lock(&s.history);
    serde_json::Value::Array(
        h.iter()
            .map(|r| {
                let mut v = ticket_json(&r.ticket);
                v["finished_unix_ms"] = json!(r.finished_at);
                v["seconds"] = json!(r.seconds);
                v["rows"] = json!(r.rows);
                v["outcome"] = json!(r.outcome);
                v["loads"] = json!(r.loads);
                v["reuses"] = json!(r.reuses);
                v["report"] = json!(r.state.as_ref().map(|_| format!("/runs/{}", r.ticket.id)));
                v
            })
            .collect(),
    )
}

/// The pool's state for `ftpart pool status`.
fn status(s: &Shared) -> serde_json::Value {
    let (running, waiting) = {
        let q = lock(&s.queue);
        (
            q.running.as_ref().map(ticket_json),
            q.waiting.iter().map(ticket_json).collect::<Vec<_>>(),
        )
    };
    // While a computation runs the workers are busy: their pids and holdings are as of its start.
    let workers = match s.workers.try_lock() {
        Ok(g) => g.as_ref().map(|w| {
            w.pids
                .iter()
                .map(|(slot, pid)| {
                    let m = crate::events::memory::sample(*pid, None).unwrap_or_default();
                    let held: Vec<_> = w
                        .held
                        .get(slot)
                        .map(|h| {
                            h.iter()
                                .map(|(d, p)| json!({"shards": d, "part": p}))
                                .collect()
                        })
                        .unwrap_or_default();
                    json!({"slot": slot, "pid": pid, "rss_bytes": m.rss, "peak_rss_bytes": m.peak, "parts": held})
                })
                .collect::<Vec<_>>()
        }),
        Err(_) => None,
    };
    let coordinator =
        crate::events::memory::sample(i32::try_from(std::process::id()).unwrap_or(i32::MAX), None)
            .unwrap_or_default();
    let shard_sets: Vec<_> = s
        .shards
        .iter()
        .map(|d| {
            let parts = Shards::open(d).map(|sh| sh.parts()).ok();
            json!({"dir": d, "parts": parts})
        })
        .collect();
    let (loads, reuses) = *lock(&s.totals);
    json!({
        "address": s.address,
        "pid": std::process::id(),
        "uptime_seconds": s.started.elapsed().as_secs_f64(),
        "dashboard": s.dashboard_url.get(),
        "workers": workers,
        "workers_busy": workers.is_none() && running.is_some(),
        "pool_rss_bytes": coordinator.rss,
        "shard_sets": shard_sets,
        "running": running,
        "queued": waiting,
        "part_loads": loads,
        "part_reuses": reuses,
        "history": history_json(s),
    })
}

/// The pool as the dashboard sees it: the running computation's live state, past ones as reports.
struct PoolView(Arc<Shared>);

impl crate::dashboard::Source for PoolView {
    fn current(&self) -> (SharedState, f64) {
        match lock(&self.0.current).as_ref() {
            Some((events, state)) => (state.clone(), events.elapsed()),
            // Between computations: the last one, finished.
            None => {
                let h = lock(&self.0.history);
                let last = h.iter().rev().find_map(|r| r.state.clone());
                let state = last.unwrap_or_else(|| Arc::new(Mutex::new(RunState::default())));
                let t = lock(&state).t;
                (state, t)
            }
        }
    }

    fn extra(&self, path: &str) -> Option<(u16, &'static str, String)> {
        if path == "/json/history" {
            return Some((200, "application/json", history_json(&self.0).to_string()));
        }
        if path == "/json/pool" {
            return Some((200, "application/json", status(&self.0).to_string()));
        }
        if path == "/runs" || path == "/runs/" {
            let h = lock(&self.0.history);
            let mut page = String::from(
                "<!doctype html><meta charset=utf-8><title>ftpart pool: computations</title><h1>Computations</h1><table><tr><th>id<th>client<th>outcome<th>rows<th>seconds<th>parts loaded<th>parts reused</tr>",
            );
            for r in h.iter().rev() {
                let link = if r.state.is_some() {
                    format!("<a href=\"/runs/{0}\">{0}</a>", r.ticket.id)
                } else {
                    r.ticket.id.to_string()
                };
                let _ = write!(
                    page,
                    "<tr><td>{link}<td>{}<td>{}<td>{}<td>{:.3}<td>{}<td>{}</tr>",
                    escape(&r.ticket.client),
                    escape(&r.outcome),
                    r.rows,
                    r.seconds,
                    r.loads,
                    r.reuses
                );
            }
            page.push_str("</table><p><a href=\"/\">live</a>");
            return Some((200, "text/html; charset=utf-8", page));
        }
        let id: u64 = path.strip_prefix("/runs/")?.parse().ok()?;
        let h = lock(&self.0.history);
        let r = h.iter().find(|r| r.ticket.id == id)?;
        let state = r.state.as_ref()?;
        let html = crate::dashboard::report_html(&lock(state));
        Some((200, "text/html; charset=utf-8", html))
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
