use std::process::ExitCode;

/// mimalloc rather than glibc's allocator: a document's parse makes thousands of small
/// allocations that are freed together, and glibc spent a fifth to a quarter of `accord
/// validate`'s time in them. Its peak RSS is higher but does not grow with the corpus.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    accord::cmd::main()
}
