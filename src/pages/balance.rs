//! The balance: how to top it up, its history (type filter and page in the URL), and a
//! chart of it over time.

use leptos::prelude::*;
use openmoney_api::console::Role;
use openmoney_api::{Ton, Transaction, TransactionQuery, TransactionType};

use crate::api;
use crate::components::copy::CopyButton;
use crate::components::export::{ExportButton, Source};
use crate::components::feedback::{loaded, ErrorView};
use crate::components::filters::address_filters;
use crate::components::paged_table::paged_table;
use crate::components::qr::Qr;
use crate::components::runway::RunwayNote;
use crate::i18n::{t_string, td_string, tr, use_i18n};
use crate::logic::filters::{QueryFilters, TransactionFilters};
use crate::logic::{money, tonlink};
use crate::session::{use_sandbox_mode, use_session};

#[component]
pub fn BalancePage() -> impl IntoView {
    let i18n = use_i18n();
    let (filters, set_filters) = address_filters::<TransactionFilters>("/balance");
    let live = crate::live::use_live();
    let balance = live.read(api::balance);
    // The history moves with the balance: read it again when the feed says so.
    let history = live.read(move || {
        live.balance_moves.track();
        api::transactions(filters.get().api_query())
    });
    let recent = live.read(move || {
        live.balance_moves.track();
        api::transactions(TransactionQuery { limit: Some(100), ..Default::default() })
    });
    let href_for = Callback::new(move |page: u64| {
        format!("/balance{}", TransactionFilters { page, ..filters.get_untracked() }.to_query())
    });
    let session = use_session();
    let sandbox = use_sandbox_mode();
    let amount = RwSignal::new("100".to_owned());
    let topup = api::Change::new(move |amount: &Ton| api::sandbox_topup(*amount));
    topup.on_ok(move |_| {
        balance.refetch();
        history.refetch();
        recent.refetch();
    });
    let topup_error = RwSignal::new(None::<String>);
    let submit_topup = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match amount.get_untracked().trim().parse::<Ton>() {
            Ok(value) if value > Ton::ZERO => {
                topup_error.set(None);
                topup.dispatch(value);
            }
            _ => topup_error.set(Some(t_string!(i18n, balance.bad_amount).into())),
        }
    };
    let set_kind = move |value: String| {
        let kind = Some(TransactionType::from_wire(&value)).filter(|k| k.is_known());
        set_filters.run(TransactionFilters { kind, page: 1 });
    };
    view! {
        <section class="page">
            <h1>{tr!(balance.title)}</h1>
            {loaded(
                balance,
                move |read| move || {
                    let b = live.balance.get().unwrap_or_else(|| read.clone());
                    let l = i18n.get_locale();
                    let link = tonlink::topup(&b.topup_address);
                    view! {
                        <div class="card topup">
                            <div>
                                <p class="big" data-testid="balance">
                                    {money::ton(l, b.balance_ton)}
                                </p>
                                <p>
                                    {td_string!(l, balance.topup_by)}" "
                                    <code data-testid="topup-address">{b.topup_address.clone()}</code>
                                    <CopyButton
                                        value=b.topup_address.clone()
                                        label=td_string!(l, dashboard.topup_address_thing)
                                    />
                                </p>
                                <p>
                                    <a href=link.clone()>{td_string!(l, common.open_wallet)}</a>
                                </p>
                            </div>
                            <Qr text=link label=td_string!(l, runway.qr_label) />
                        </div>
                    }
                },
            )}
            <Show when=move || sandbox.0.get() && session.can(Role::Operator)>
                <form class="filters card" on:submit=submit_topup aria-label=tr!(balance.sandbox_form)>
                    <label>
                        {tr!(balance.sandbox_amount)}
                        <input
                            name="topup"
                            inputmode="decimal"
                            prop:value=move || amount.get()
                            on:input=move |ev| amount.set(event_target_value(&ev))
                        />
                    </label>
                    <button type="submit" disabled=move || topup.pending().get()>
                        {tr!(balance.topup)}
                    </button>
                    {move || {
                        topup_error
                            .get()
                            .map(|e| {
                                view! {
                                    <p class="error-text" role="alert">
                                        {e}
                                    </p>
                                }
                            })
                    }}
                    {move || topup.value().and_then(Result::err).map(|e| view! { <ErrorView error=e /> })}
                </form>
            </Show>
            <RunwayNote />
            <h2>{tr!(balance.over_time)}</h2>
            {loaded(recent, |page| view! { <Chart transactions=page.items /> })}
            <h2>{tr!(balance.transactions)}</h2>
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <label>
                    {tr!(common.kind)} <select name="type" on:change=move |ev| set_kind(event_target_value(&ev))>
                        <option value="" selected=move || filters.get().kind.is_none()>
                            {tr!(common.any)}
                        </option>
                        {TransactionType::KNOWN
                            .iter()
                            .map(|k| {
                                let value = k.as_str().to_owned();
                                let current = k.clone();
                                let name = k.clone();
                                view! {
                                    <option
                                        value=value.clone()
                                        selected=move || filters.get().kind.as_ref() == Some(&current)
                                    >
                                        {move || crate::i18n::transaction_type(i18n.get_locale(), &name)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </form>
            <ExportButton source=Signal::derive(move || Source::Transactions(filters.get())) />
            {loaded(
                history,
                move |page| {
                    let current = filters.get_untracked().page;
                    let l = i18n.get_locale();
                    let headings = vec![
                        td_string!(l, common.when),
                        td_string!(l, common.kind),
                        td_string!(l, common.amount),
                        td_string!(l, balance.after),
                        td_string!(l, common.order),
                    ];
                    view! {
                        {paged_table(
                            "transactions",
                            headings,
                            page
                                .items
                                .into_iter()
                                .map(|t| {
                                    view! {
                                        <tr data-testid="transaction-row">
                                            <td>
                                                <time datetime=t
                                                    .created_at
                                                    .to_string()>{crate::i18n::when(l, t.created_at)}</time>
                                            </td>
                                            <td>{crate::i18n::transaction_type(l, &t.kind)}</td>
                                            <td class="num">{money::ton(l, t.amount_ton)}</td>
                                            <td class="num">{money::ton(l, t.balance_after_ton)}</td>
                                            <td>
                                                {t
                                                    .order_id
                                                    .map(|id| {
                                                        view! { <a href=format!("/orders/{id}")>{format!("#{id}")}</a> }
                                                    })}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view(),
                            current,
                            page.total,
                            href_for,
                        )}
                    }
                },
            )}
        </section>
    }
}

/// Points of the balance chart: (x, y) in a 600×160 box, oldest first.
pub fn chart_points(transactions: &[Transaction]) -> Vec<(i64, i64)> {
    // Ties in time keep the ledger's order: the later transaction holds the later balance.
    let mut ordered: Vec<&Transaction> = transactions.iter().collect();
    ordered.sort_unstable_by_key(|t| (t.created_at.unix_millis(), t.id));
    let points: Vec<(i64, i64)> =
        ordered.iter().map(|t| (t.created_at.unix_millis(), t.balance_after_ton.nanos())).collect();
    let (Some(first), Some(last)) = (points.first().copied(), points.last().copied()) else { return Vec::new() };
    let low = points.iter().map(|p| p.1).min().unwrap_or(0).min(0);
    let high = points.iter().map(|p| p.1).max().unwrap_or(0).max(low + 1);
    let span = (last.0 - first.0).max(1);
    points
        .iter()
        .map(|(t, v)| {
            let x = (i128::from(t - first.0) * 600 / i128::from(span)) as i64;
            let y = 160 - (i128::from(v - low) * 160 / i128::from(high - low)) as i64;
            (x, y)
        })
        .collect()
}

#[component]
fn Chart(transactions: Vec<Transaction>) -> impl IntoView {
    let points = chart_points(&transactions);
    if points.len() < 2 {
        return view! { <p class="muted">{tr!(balance.no_chart)}</p> }.into_any();
    }
    let path: Vec<String> = points.iter().map(|(x, y)| format!("{x},{y}")).collect();
    view! {
        <svg class="chart" viewBox="-4 -4 608 168" role="img" aria-label=tr!(balance.chart_label) data-testid="chart">
            <polyline points=path.join(" ") fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use openmoney_api::{Timestamp, Ton};

    fn tx(at: i64, after: i64) -> Transaction {
        Transaction {
            id: at,
            kind: TransactionType::Topup,
            amount_ton: Ton::ZERO,
            balance_after_ton: Ton::from_units(after),
            order_id: None,
            tx_hash: None,
            created_at: Timestamp::from_unix_millis(at),
        }
    }

    #[test]
    fn the_chart_spans_the_box_oldest_first() {
        let points = chart_points(&[tx(2_000, 50), tx(1_000, 100), tx(3_000, 0)]);
        assert_eq!(points, vec![(0, 0), (300, 80), (600, 160)]);
        assert!(chart_points(&[]).is_empty());
    }
}
