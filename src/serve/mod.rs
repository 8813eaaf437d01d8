//! A pool reached by address (`ftpart serve`): worker processes that keep their shard parts loaded
//! between computations ([`crate::compute::PartCache`]), for clients on the command line
//! (`ftpart compute --pool`) and in Python (`ftpart.Pool("ftpart://…")`).
//!
//! Computations run one at a time, in the order they arrive; the others wait in a queue. A client
//! that goes away cancels its computation (queued or running); the workers of a cancelled run are
//! stopped and replaced. Every request must carry the pool's token ([`wire::Hello`]).

pub mod client;
mod server;
pub mod state;
pub mod wire;

pub use client::{Address, Client};
pub use server::{serve, ServeOptions, Served};

/// URL scheme of a pool's address: `ftpart://HOST:PORT`.
pub const SCHEME: &str = "ftpart://";

/// Environment variable: the address of the pool clients use when given none.
pub const FTPART_POOL: &str = "FTPART_POOL";
/// Environment variable: the token clients send when the address holds none.
pub const FTPART_POOL_TOKEN: &str = "FTPART_POOL_TOKEN";
