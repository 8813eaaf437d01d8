//! ftpart-partitioner
