use std::process::ExitCode;

fn main() -> ExitCode {
    accord::cmd::main()
}

// The ingest allocates a few strings per paragraph (text, eId, line list): mimalloc serves
// them at about half the instructions of the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
