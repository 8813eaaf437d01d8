//! The HTML run report: one self-contained file (styles, script and the run's data inline),
//! written through a temporary file renamed into place.

use std::io::Write;
use std::path::Path;

use serde_json::json;

use crate::error::{Error, Result};
use crate::events::state::RunState;

/// Memory points per process in the report.
const REPORT_HISTORY: usize = 1000;

/// The report's HTML for `state`.
pub fn report_html(state: &RunState) -> String {
    let mut run = state.run_json(0, usize::MAX, state.t);
    // The report's tasks are all of them, whatever their version.
    run["tasks"] = json!(state.tasks);
    let data = json!({ "run": run, "workers": state.workers_json(REPORT_HISTORY) });
    // Inside a script element nothing may read as a closing tag: `<` as a JSON escape.
    let text = data.to_string().replace('<', "\\u003c");
    let element = format!(r#"<script type="application/json" id="ftpart-data">{text}</script>"#);
    super::page("ftpart run report", super::REPORT, &element)
}

/// Writes the report of `state` to `path`: all of it or nothing.
pub fn write_report(state: &RunState, path: &Path) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".ftpart-report-")
        .permissions(crate::matrix::new_file_permissions())
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    tmp.write_all(report_html(state).as_bytes())
        .and_then(|_| tmp.flush())
        .map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Round, RunEvent, Stamped};

    #[test]
    fn the_report_carries_its_data_inline_and_escapes_closing_tags() {
        let mut s = RunState::default();
        s.apply(&Stamped {
            t: 0.0,
            event: RunEvent::RunStarted {
                parts: 1,
                workers: 0,
                features: 2,
                command: vec!["ftpart".into(), "</script><b>".into()],
                inputs: vec![],
                unix_ms: 0,
            },
        });
        s.apply(&Stamped {
            t: 0.1,
            event: RunEvent::JobStarted {
                round: Round::Matrix,
                part: 0,
                worker: 0,
            },
        });
        let html = report_html(&s);
        assert!(!html.contains("</script><b>"));
        assert!(html.contains(r#""part":0"#));
        assert!(!html.contains("http://") && !html.contains("https://"));
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("run.html");
        write_report(&s, &p).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), html);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
