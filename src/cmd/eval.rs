use clap::Args as ClapArgs;

#[derive(ClapArgs)]
pub struct Args {}

pub fn run(_args: Args) -> u8 {
    eprintln!("accord eval: not built yet");
    super::EXIT_USAGE
}
