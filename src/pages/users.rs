//! Staff management, for admins: add staff with a role, change a role, disable or enable,
//! reset a password, remove. The proxy audits every change.

use leptos::prelude::*;
use openmoney_api::console::{NewStaff, Role, StaffAccount, StaffChange};

use crate::api::{self, ApiError};
use crate::components::feedback::{loaded, ErrorView};
use crate::i18n::{t_string, td_string, tr, use_i18n};

#[component]
pub fn Users() -> impl IntoView {
    let i18n = use_i18n();
    let accounts = api::Read::new(api::staff);
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Viewer);
    let add = api::Change::new(move |new: &NewStaff| api::add_staff(new.clone()));
    let change =
        api::Change::new(move |(name, change): &(String, StaffChange)| api::change_staff(name.clone(), change.clone()));
    let remove = api::Change::new(move |name: &String| api::remove_staff(name.clone()));
    let notice = RwSignal::new(None::<String>);
    add.on_ok(move |account| {
        let l = i18n.get_locale_untracked();
        notice.set(Some(td_string!(
            l,
            users.added,
            name = account.username,
            role = crate::i18n::role(l, account.role)
        )));
        username.set(String::new());
        password.set(String::new());
        accounts.refetch();
    });
    change.on_ok(move |account| {
        notice.set(Some(td_string!(i18n.get_locale_untracked(), users.saved, name = account.username)));
        accounts.refetch();
    });
    remove.on_ok(move |name| {
        notice.set(Some(td_string!(i18n.get_locale_untracked(), users.removed, name)));
        accounts.refetch();
    });
    let error = move || -> Option<ApiError> {
        add.value()
            .and_then(Result::err)
            .or_else(|| change.value().and_then(Result::err))
            .or_else(|| remove.value().and_then(Result::err))
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        add.dispatch(NewStaff {
            username: username.get_untracked().trim().to_owned(),
            role: role.get_untracked(),
            password: password.get_untracked(),
        });
    };
    view! {
        <section class="page">
            <h1>{tr!(users.title)}</h1>
            {move || {
                notice
                    .get()
                    .map(|n| {
                        view! {
                            <p role="status" data-testid="notice">
                                {n}
                            </p>
                        }
                    })
            }}
            {move || error().map(|e| view! { <ErrorView error=e /> })}
            {loaded(accounts, move |list| view! { <StaffTable accounts=list change=change remove=remove /> })}
            <h2>{tr!(users.add_title)}</h2>
            <form class="card order-form" on:submit=submit>
                <label for="new-username">{tr!(login.username)}</label>
                <input
                    id="new-username"
                    required
                    autocomplete="off"
                    prop:value=move || username.get()
                    on:input=move |ev| username.set(event_target_value(&ev))
                />
                <label for="new-role">{tr!(users.role)}</label>
                <select
                    id="new-role"
                    on:change=move |ev| role.set(event_target_value(&ev).parse().unwrap_or(Role::Viewer))
                >
                    {Role::ALL
                        .iter()
                        .map(|r| {
                            view! {
                                <option value=r.as_str() selected=move || role.get() == *r>
                                    {move || crate::i18n::role(i18n.get_locale(), *r)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <label for="new-password">{tr!(users.password)}</label>
                <input
                    id="new-password"
                    type="password"
                    autocomplete="new-password"
                    required
                    minlength="10"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <button type="submit" disabled=move || add.pending().get()>
                    {tr!(users.add)}
                </button>
            </form>
        </section>
    }
}

type Changing = api::Change<(String, StaffChange), Result<StaffAccount, ApiError>>;
type Removing = api::Change<String, Result<String, ApiError>>;

#[component]
fn StaffTable(accounts: Vec<StaffAccount>, change: Changing, remove: Removing) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="users">
                <thead>
                    <tr>
                        <th scope="col">{tr!(login.username)}</th>
                        <th scope="col">{tr!(users.role)}</th>
                        <th scope="col">{tr!(users.state)}</th>
                        <th scope="col">{tr!(users.actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    {accounts
                        .into_iter()
                        .map(|account| view! { <StaffRow account=account change=change remove=remove /> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn StaffRow(account: StaffAccount, change: Changing, remove: Removing) -> impl IntoView {
    let i18n = use_i18n();
    let name = account.username.clone();
    let removing = RwSignal::new(false);
    let remove_name = account.username.clone();
    let new_password = RwSignal::new(String::new());
    let send = move |c: StaffChange| {
        change.dispatch((name.clone(), c));
    };
    let (send_role, send_toggle, send_password) = (send.clone(), send.clone(), send);
    let disabled = account.disabled;
    view! {
        <tr data-testid="user-row">
            <td>{account.username.clone()}</td>
            <td>
                <label class="visually-hidden" for=format!("role-{}", account.username)>
                    {
                        let name = account.username.clone();
                        move || t_string!(i18n, users.role_of, name = name)
                    }
                </label>
                <select
                    id=format!("role-{}", account.username)
                    on:change=move |ev| {
                        if let Ok(role) = event_target_value(&ev).parse() {
                            send_role(StaffChange {
                                role: Some(role),
                                ..Default::default()
                            });
                        }
                    }
                >
                    {Role::ALL
                        .iter()
                        .map(|r| {
                            view! {
                                <option value=r.as_str() selected=*r == account.role>
                                    {move || crate::i18n::role(i18n.get_locale(), *r)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </td>
            <td>{move || if disabled { t_string!(i18n, users.disabled) } else { t_string!(i18n, users.active) }}</td>
            <td class="actions">
                <button
                    type="button"
                    on:click=move |_| send_toggle(StaffChange {
                        disabled: Some(!disabled),
                        ..Default::default()
                    })
                >
                    {move || if disabled { t_string!(i18n, users.enable) } else { t_string!(i18n, users.disable) }}
                </button>
                <input
                    type="password"
                    aria-label=t_string!(i18n, users.new_password_for, name = account.username.clone())
                    placeholder=tr!(users.new_password)
                    autocomplete="new-password"
                    prop:value=move || new_password.get()
                    on:input=move |ev| new_password.set(event_target_value(&ev))
                />
                <button
                    type="button"
                    on:click=move |_| {
                        send_password(StaffChange {
                            password: Some(new_password.get_untracked()),
                            ..Default::default()
                        });
                        new_password.set(String::new());
                    }
                >
                    {tr!(users.reset)}
                </button>
                <Show
                    when=move || removing.get()
                    fallback=move || {
                        view! {
                            <button type="button" class="danger" on:click=move |_| removing.set(true)>
                                {tr!(users.remove)}
                            </button>
                        }
                    }
                >
                    {
                        let remove_name = remove_name.clone();
                        view! {
                            <button
                                type="button"
                                class="danger"
                                on:click=move |_| {
                                    remove.dispatch(remove_name.clone());
                                }
                            >
                                {tr!(users.remove_yes)}
                            </button>
                            <button type="button" on:click=move |_| removing.set(false)>
                                {tr!(users.keep)}
                            </button>
                        }
                    }
                </Show>
            </td>
        </tr>
    }
}
