//! The `alam` command: the allocator and the entry point. The command
//! line itself (arguments, dispatch, messages, exit codes) is the
//! library's private `cli` module, so that it can use the crate's
//! internals without making them public API.
//!
//! Exit codes: 0 success (warnings allowed), 1 the run failed (or
//! `--strict` tripped), 2 bad usage.

/// mimalloc instead of the system allocator: the pipeline's stages free on
/// one thread what another allocated, which glibc's malloc serializes.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    alam::run_command_line()
}
