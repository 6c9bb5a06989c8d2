//! The `alam` command: parse arguments, dispatch, set the exit code.
//!
//! Exit codes: 0 success (warnings allowed), 1 the run failed (or
//! `--strict` tripped), 2 bad usage.

mod cli;

/// mimalloc instead of the system allocator: the pipeline's stages free on
/// one thread what another allocated, which glibc's malloc serializes.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            let broken_pipe = err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("alam: {err:#}");
            ExitCode::from(1)
        }
    }
}
