use clap::Args as ClapArgs;

#[derive(ClapArgs)]
pub struct Args {}

pub fn run(_args: Args) -> u8 {
    eprintln!("accord build: not built yet");
    super::EXIT_USAGE
}
