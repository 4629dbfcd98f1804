//! Background work of the History tab: reading the history file and sending an entry again.

use super::Context;
use super::composer::send_job;
use crate::requests::history::{History, HistoryFilter};
use crate::requests::store::RequestStore;
use crate::state::history::{HistoryJob, HistoryOutcome};

/// Runs one job.
pub async fn run(ctx: &Context, job: HistoryJob) -> HistoryOutcome {
    let data_dir = ctx.data_dir();
    match job {
        HistoryJob::Load => HistoryOutcome::Loaded(
            History::new(&data_dir)
                .load(&HistoryFilter::default())
                .map(|l| l.entries)
                .map_err(|e| e.to_string()),
        ),
        HistoryJob::Replay { request, profile } => {
            let store = RequestStore::new(&data_dir);
            let (result, entry) = send_job(ctx, &store, *request, profile).await;
            HistoryOutcome::Replayed {
                result: result.map(Box::new),
                entry: entry.map(Box::new),
            }
        }
    }
}
