//! ftpart-worker
