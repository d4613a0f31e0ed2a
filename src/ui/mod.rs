//! The live dashboard: calm "hold the silence" coaching in the terminal.
//!
//! The loop folds the analysis's messages into a [`UiState`] and draws it at a steady tick;
//! keys come from an "input" thread. The analysis never waits for the dashboard (it only
//! `try_send`s), and the dashboard never blocks it. The terminal is restored on every exit:
//! quit, end of the recording, a stop signal, an error, or a panic.

pub mod state;
pub mod theme;
pub mod view;
pub mod widgets;

use std::io::IsTerminal;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, bounded, never, select, tick};
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, Event};

use crate::config::Config;
use crate::error::Error;
use crate::session::{Control, SessionHandle};
use state::{Action, UiState};
use theme::Theme;
use view::Dashboard;

/// The drawing tick.
pub const TICK: Duration = Duration::from_millis(50);
/// How long the input thread waits for a key before checking whether to stop.
const INPUT_POLL: Duration = Duration::from_millis(50);

/// The "input" thread: terminal events into a channel until told to stop.
struct Input {
    events: Receiver<Event>,
    done: Arc<AtomicBool>,
    join: JoinHandle<()>,
}

impl Input {
    fn spawn() -> Result<Input, Error> {
        let (tx, rx) = bounded(64);
        let done = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&done);
        let join = std::thread::Builder::new()
            .name("input".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    match event::poll(INPUT_POLL) {
                        Ok(true) => match event::read() {
                            Ok(e) => {
                                if tx.send(e).is_err() {
                                    break;
                                }
                            }
                            Err(_) => break,
                        },
                        Ok(false) => {}
                        Err(_) => break,
                    }
                }
            })
            .map_err(|e| Error::Other(format!("cannot start the input thread: {e}")))?;
        Ok(Input {
            events: rx,
            done,
            join,
        })
    }

    fn stop(self) {
        self.done.store(true, Ordering::Relaxed);
        let _ = self.join.join();
    }
}

/// Checks that stdout is a terminal the dashboard can draw on.
///
/// # Errors
/// [`Error::Usage`] when it is not (the message suggests `--no-ui`).
pub fn check_terminal() -> Result<(), Error> {
    if std::io::stdout().is_terminal() {
        Ok(())
    } else {
        Err(Error::Usage(
            "the dashboard needs a terminal: run it in one, or add --no-ui for JSON lines".into(),
        ))
    }
}

/// Shows the dashboard for a running session until the rep quits (`q`, Ctrl-C), the
/// recording ends, or `stop` is set (SIGTERM, SIGHUP). The caller then stops the session,
/// saves the report and prints the summary.
///
/// # Errors
/// [`Error::Usage`] when stdout is not a terminal (use `--no-ui`); [`Error::Other`] when the
/// terminal cannot be set up or drawn, or the dashboard failed. The terminal is restored in
/// every case.
pub fn run(
    handle: &SessionHandle,
    config: &Config,
    title: &str,
    stop: &Arc<AtomicBool>,
) -> Result<(), Error> {
    check_terminal()?;
    let theme = Theme::from_env();
    let mut state = UiState::new(config, title);
    // Installs a panic hook that restores the terminal before the panic is reported.
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            let _ = ratatui::try_restore();
            return Err(Error::Other(format!("cannot start the dashboard: {e}")));
        }
    };
    let input = match Input::spawn() {
        Ok(i) => i,
        Err(e) => {
            let _ = ratatui::try_restore();
            return Err(e);
        }
    };
    let looped = catch_unwind(AssertUnwindSafe(|| {
        event_loop(
            &mut terminal,
            &mut state,
            handle,
            &input.events,
            stop,
            theme,
        )
    }));
    input.stop();
    let restored = ratatui::try_restore();
    match looped {
        Ok(result) => result?,
        Err(_) => return Err(Error::Other("the dashboard failed".into())),
    }
    restored.map_err(|e| Error::Other(format!("cannot restore the terminal: {e}")))
}

fn draw(terminal: &mut DefaultTerminal, state: &UiState, theme: &Theme) -> Result<(), Error> {
    terminal
        .draw(|f| f.render_widget(Dashboard::new(state, theme), f.area()))
        .map(|_| ())
        .map_err(|e| Error::Other(format!("cannot draw the dashboard: {e}")))
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    state: &mut UiState,
    handle: &SessionHandle,
    events: &Receiver<Event>,
    stop: &Arc<AtomicBool>,
    theme: &Theme,
) -> Result<(), Error> {
    let ticker = tick(TICK);
    let mut events = events.clone();
    draw(terminal, state, theme)?;
    loop {
        select! {
            recv(handle.messages) -> msg => match msg {
                Ok(msg) => {
                    state.apply(&msg);
                    // Fold whatever else is waiting before the next draw.
                    for msg in handle.messages.try_iter() {
                        state.apply(&msg);
                        if state.ended() {
                            break;
                        }
                    }
                    if state.ended() {
                        return Ok(());
                    }
                }
                // The analysis thread is gone.
                Err(_) => return Ok(()),
            },
            recv(events) -> ev => match ev {
                Ok(Event::Key(key)) => {
                    match state.on_key(key) {
                        Some(Action::Quit) => return Ok(()),
                        Some(Action::Mark) => {
                            let _ = handle.control.try_send(Control::Mark);
                        }
                        Some(Action::SetPaused(p)) => {
                            let _ = handle.control.try_send(Control::SetPaused(p));
                        }
                        None => {}
                    }
                    draw(terminal, state, theme)?;
                }
                Ok(Event::Resize(..)) => draw(terminal, state, theme)?,
                Ok(_) => {}
                // No more input (no terminal events): keep showing the session.
                Err(_) => events = never(),
            },
            recv(ticker) -> _ => {
                if stop.load(Ordering::Relaxed) {
                    return Ok(());
                }
                draw(terminal, state, theme)?;
            },
        }
    }
}

#[cfg(test)]
mod tests;
