//! `ftpart serve` and `ftpart pool status|stop`: a pool of workers reached by address.

use std::path::PathBuf;
use std::process::ExitCode;

use ftpart::serve::{Address, Client, ServeOptions};

use super::common::parse_size;

/// Arguments of `ftpart serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Shard directories written by `ftpart split`; their parts stay loaded in the workers.
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Worker processes (default: the number of cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR:PORT")]
    listen: String,
    /// Serve the live dashboard, with the history of computations, at [ADDR:]PORT.
    #[arg(long, value_name = "[ADDR:]PORT", value_parser = ftpart::dashboard::parse_address)]
    dashboard: Option<std::net::SocketAddr>,
    /// Bytes of shard files each worker keeps loaded, e.g. 2G (default: a quarter of the
    /// machine's memory shared by the workers).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    cache: Option<u64>,
    /// Accept clients without a token (loopback only).
    #[arg(long)]
    no_token: bool,
    /// Times a part is retried after its worker crashed.
    #[arg(long, default_value_t = 2)]
    retries: u32,
    /// Address-space limit of each worker, e.g. 4G.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    worker_memory: Option<u64>,
    /// Where to record the pool for clients with no address (default: $FTPART_POOL_STATE, else
    /// $XDG_RUNTIME_DIR/ftpart/pool.json, else ~/.ftpart/pool.json).
    #[arg(long, value_name = "FILE")]
    state_file: Option<PathBuf>,
}

/// `ftpart pool ...`.
#[derive(Debug, clap::Args)]
pub struct PoolArgs {
    #[command(subcommand)]
    command: PoolCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PoolCommand {
    /// Workers, memory, loaded parts, running and queued computations.
    Status {
        /// The pool (ftpart://[TOKEN@]HOST:PORT; default: $FTPART_POOL, else the local pool).
        addr: Option<String>,
        /// Print the status as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Stop the pool: its running computation is cancelled, queued ones refused, workers stopped.
    Stop {
        /// The pool (default: $FTPART_POOL, else the local pool).
        addr: Option<String>,
    },
}

/// Runs `ftpart serve` until `ftpart pool stop` or Ctrl-C.
pub fn exec_serve(a: ServeArgs) -> anyhow::Result<ExitCode> {
    let listen: std::net::SocketAddr = a.listen.parse().map_err(|_| {
        ftpart::Error::Invalid(format!(
            "--listen '{}' is not ADDR:PORT, such as 127.0.0.1:7878",
            a.listen
        ))
    })?;
    if a.no_token && !listen.ip().is_loopback() {
        return Err(ftpart::Error::Invalid(format!(
            "--listen {listen} --no-token: a pool on an address other than loopback needs a token"
        ))
        .into());
    }
    let workers = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let cache = a.cache.unwrap_or_else(|| {
        ftpart::events::memory::total_bytes().unwrap_or(4 << 30) / 4 / workers as u64
    });
    let state_file = match a.state_file {
        Some(p) => p,
        None => ftpart::serve::state::path()?,
    };
    let stop = ftpart_worker::install_interrupt_handler()?;
    let opts = ServeOptions {
        shards: a.shards,
        workers,
        listen,
        token: a.no_token.then(String::new),
        dashboard: a.dashboard,
        part_cache_bytes: cache,
        retries: a.retries,
        memory_limit: a.worker_memory,
        program: None,
        state_file: Some(state_file.clone()),
    };
    ftpart::serve::serve(opts, stop, &mut |s| {
        let with_token = if s.token.is_empty() {
            s.address.clone()
        } else {
            s.address.replacen("://", &format!("://{}@", s.token), 1)
        };
        println!("ftpart pool at {} ({workers} workers)", s.address);
        println!("connect: ftpart compute --pool {with_token} --features F --out FILE");
        println!("         or in Python: ftpart.Pool(\"{with_token}\")");
        println!(
            "the address and token are in {} (owner only): clients on this machine need no address",
            state_file.display()
        );
        if let Some(d) = &s.dashboard {
            println!("dashboard at {d}");
        }
        println!("stop: ftpart pool stop (or Ctrl-C)");
    })?;
    eprintln!("ftpart: the pool stopped");
    Ok(ExitCode::SUCCESS)
}

fn mb(v: &serde_json::Value) -> String {
    format!("{:.0} MB", v.as_f64().unwrap_or(0.0) / 1e6)
}

/// Runs `ftpart pool status|stop`.
pub fn exec_pool(a: PoolArgs) -> anyhow::Result<ExitCode> {
    match a.command {
        PoolCommand::Status { addr, json } => {
            let client = Client::new(Address::resolve(addr.as_deref())?);
            let s = client.status()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "pool {} (pid {})",
                s["address"].as_str().unwrap_or("?"),
                s["pid"]
            );
            if let Some(d) = s["dashboard"].as_str() {
                println!("dashboard {d}");
            }
            println!("memory of the pool process: {}", mb(&s["pool_rss_bytes"]));
            match s["workers"].as_array() {
                Some(ws) => {
                    for w in ws {
                        let parts = w["parts"].as_array().map_or(0, Vec::len);
                        println!(
                            "worker {} pid {}: {} resident, {parts} parts loaded",
                            w["slot"],
                            w["pid"],
                            mb(&w["rss_bytes"])
                        );
                    }
                }
                None => println!("workers: busy with the running computation"),
            }
            for d in s["shard_sets"].as_array().into_iter().flatten() {
                println!(
                    "shards {} ({} parts)",
                    d["dir"].as_str().unwrap_or("?"),
                    d["parts"]
                );
            }
            match s["running"].as_object() {
                Some(r) => println!("running: computation {} from {}", r["id"], r["client"]),
                None => println!("running: nothing"),
            }
            let queued = s["queued"].as_array().map_or(0, Vec::len);
            println!("queued: {queued}");
            println!(
                "computations done: {}; parts loaded {}, reused {}",
                s["history"].as_array().map_or(0, Vec::len),
                s["part_loads"],
                s["part_reuses"]
            );
            Ok(ExitCode::SUCCESS)
        }
        PoolCommand::Stop { addr } => {
            let client = Client::new(Address::resolve(addr.as_deref())?);
            client.stop()?;
            eprintln!("ftpart: the pool at {} stopped", client.address());
            Ok(ExitCode::SUCCESS)
        }
    }
}
