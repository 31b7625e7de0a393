use std::process::ExitCode;

fn main() -> ExitCode {
    accord::cmd::main()
}
