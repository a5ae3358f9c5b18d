//! The live feed in the console: one `EventSource` per tab on `/console/v1/events`, shared
//! through context. Pages show the freshest copy of every order an event carried, key their
//! reads on [`Live::resets`] (re-read everything after a gap), and staff are told of
//! payments and endings by a toast, the tab's title and, if they chose so, the desktop.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use openmoney_api::console::AuditEntry;
use openmoney_api::{Balance, Order, OrderStatus};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::logic::live::{fresher, title, worth_telling, OrderChange};

const EVENTS: &str = "/console/v1/events";
/// The longest wait between attempts to reopen a closed stream.
const MAX_BACKOFF_MS: u64 = 30_000;
/// How long a toast stays.
const TOAST_MS: u64 = 10_000;
/// Toasts on screen at once.
const MAX_TOASTS: usize = 4;
const NOTIFY_KEY: &str = "notify";

/// The state of the tab's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Connecting,
    Live,
    Offline,
}

/// A change staff are told of.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub key: u64,
    pub id: i64,
    pub status: OrderStatus,
    pub actor: Option<String>,
}

#[derive(Clone, Copy)]
pub struct Live {
    pub link: RwSignal<Link>,
    /// When the stream last brought something (or opened), epoch ms.
    pub last_update: RwSignal<Option<i64>>,
    /// The latest copy of each order an event carried.
    orders: RwSignal<HashMap<i64, Order>>,
    /// Orders created since this tab opened, newest first.
    pub new_orders: RwSignal<Vec<i64>>,
    /// The latest order event.
    pub last_change: RwSignal<Option<OrderChange>>,
    /// The balance as the last event gave it.
    pub balance: RwSignal<Option<Balance>>,
    /// Moves on each balance event: the history re-reads.
    pub balance_moves: RwSignal<u64>,
    /// Audit events per order: an order's history re-reads.
    audits: RwSignal<HashMap<i64, u32>>,
    /// Moves when the console must re-read everything (a `reset`, or a reopened stream).
    pub resets: RwSignal<u64>,
    /// The upstream as the proxy last saw it.
    pub upstream_up: RwSignal<Option<bool>>,
    pub notices: RwSignal<Vec<Notice>>,
    /// Desktop notifications chosen in this browser.
    pub notify: RwSignal<bool>,
    /// The stream was refused because the session ended (signed out elsewhere, expired,
    /// or the account disabled): the console goes to sign-in.
    pub signed_out: RwSignal<bool>,
    unseen: RwSignal<u32>,
    i18n: crate::i18n::I18n,
}

impl Live {
    /// A read that reads again whenever the console must re-read everything.
    pub fn read<T, Fut>(self, fetch: impl Fn() -> Fut + 'static) -> crate::api::Read<T>
    where
        T: Clone + Send + Sync + 'static,
        Fut: std::future::IntoFuture<Output = T> + 'static,
        Fut::IntoFuture: 'static,
    {
        crate::api::Read::new(move || {
            self.resets.track();
            fetch()
        })
    }

    /// `order` as fresh as the feed knows it.
    pub fn fresh(&self, order: &Order) -> Order {
        self.orders.with(|known| known.get(&order.id).map_or(order, |event| fresher(order, event)).clone())
    }

    /// An order the feed carried; tracked.
    pub fn order(&self, id: i64) -> Option<Order> {
        self.orders.with(|known| known.get(&id).cloned())
    }

    /// How many audit events an order had; read it to re-read the order's history.
    pub fn audits_of(&self, id: i64) -> u32 {
        self.audits.with(|a| a.get(&id).copied().unwrap_or(0))
    }

    pub fn dismiss(&self, key: u64) {
        self.notices.update(|n| n.retain(|notice| notice.key != key));
    }

    /// Turns desktop notifications on (asking the browser's permission) or off.
    pub fn set_notify(&self, on: bool) {
        self.notify.set(on);
        if let Some(storage) = storage() {
            let _ = storage.set_item(NOTIFY_KEY, if on { "on" } else { "off" });
        }
        if on && web_sys::Notification::permission() == web_sys::NotificationPermission::Default {
            let _ = web_sys::Notification::request_permission();
        }
    }

    fn touched(&self) {
        self.last_update.set(Some(crate::components::clock::now_millis()));
    }

    fn on_order(&self, change: OrderChange) {
        let id = change.order.id;
        if change.is_new() && !self.new_orders.with_untracked(|ids| ids.contains(&id)) {
            self.new_orders.update(|ids| ids.insert(0, id));
        }
        self.orders.update(|known| {
            known.insert(id, change.order.clone());
        });
        if worth_telling(&change) {
            self.tell(&change);
        }
        self.last_change.set(Some(change));
    }

    fn tell(&self, change: &OrderChange) {
        let key = js_sys::Date::now() as u64 ^ change.order.id as u64;
        let notice =
            Notice { key, id: change.order.id, status: change.order.status.clone(), actor: change.actor.clone() };
        self.notices.update(|n| {
            n.push(notice.clone());
            if n.len() > MAX_TOASTS {
                n.remove(0);
            }
        });
        let live = *self;
        set_timeout(move || live.dismiss(key), std::time::Duration::from_millis(TOAST_MS));
        if hidden() {
            self.unseen.update(|n| *n += 1);
            set_title(self.unseen.get_untracked());
            if self.notify.get_untracked()
                && web_sys::Notification::permission() == web_sys::NotificationPermission::Granted
            {
                let text = crate::i18n::status(self.i18n.get_locale_untracked(), &notice.status);
                let _ = web_sys::Notification::new(&format!("#{} {text}", notice.id));
            }
        }
    }

    fn reset(&self) {
        self.orders.set(HashMap::new());
        self.balance.set(None);
        self.resets.update(|n| *n += 1);
    }

    fn on_event(&self, name: &str, data: &str) {
        self.touched();
        match name {
            "order" => {
                if let Ok(change) = serde_json::from_str::<OrderChange>(data) {
                    self.on_order(change);
                }
            }
            "balance" => {
                #[derive(serde::Deserialize)]
                struct Moved {
                    balance: Balance,
                }
                if let Ok(moved) = serde_json::from_str::<Moved>(data) {
                    self.balance.set(Some(moved.balance));
                    self.balance_moves.update(|n| *n += 1);
                }
            }
            "audit" => {
                if let Some(id) = serde_json::from_str::<AuditEntry>(data).ok().and_then(|e| e.order_id) {
                    self.audits.update(|a| *a.entry(id).or_default() += 1);
                }
            }
            "health" => self.upstream_up.set(Some(data.contains("\"up\""))),
            "reset" => self.reset(),
            _ => {}
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

thread_local! {
    /// The tab's one open stream, with the callbacks it calls; replacing it closes the old.
    static FEED: RefCell<Option<Feed>> = const { RefCell::new(None) };
    /// The tab's title without the count of unseen changes.
    static TITLE: RefCell<String> = const { RefCell::new(String::new()) };
}

struct Feed {
    source: web_sys::EventSource,
    _callbacks: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.source.close();
    }
}

fn set_title(unseen: u32) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    TITLE.with(|base| {
        let mut base = base.borrow_mut();
        if base.is_empty() {
            *base = document.title();
        }
        document.set_title(&title(&base, unseen));
    });
}

/// Opens the stream. `attempt` counts failed opens in a row; after the first open, a
/// stream that had to be opened anew re-reads everything, since events may be lost.
fn connect(live: Live, attempt: u32, reopened: bool) {
    let Ok(source) = web_sys::EventSource::new(EVENTS) else { return };
    let mut callbacks: Vec<Closure<dyn FnMut(web_sys::Event)>> = Vec::new();
    let opened = std::rc::Rc::new(std::cell::Cell::new(false));
    {
        let opened = opened.clone();
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            opened.set(true);
            live.link.set(Link::Live);
            live.touched();
            if reopened {
                live.reset();
            }
        });
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        callbacks.push(on_open);
    }
    {
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            live.link.set(Link::Offline);
            let closed = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::EventSource>().ok())
                .is_some_and(|s| s.ready_state() == web_sys::EventSource::CLOSED);
            // A stream the browser reopens by itself resumes with Last-Event-ID; a closed one
            // (refused, or a server that went away) is opened anew after a growing wait,
            // unless it was refused because the session is over.
            if closed {
                let next = if opened.get() { 0 } else { attempt + 1 };
                let wait = (1000u64 << next.min(5)).min(MAX_BACKOFF_MS);
                leptos::task::spawn_local(async move {
                    if matches!(crate::api::session().await, Err(crate::api::ApiError::Unauthorized)) {
                        live.signed_out.set(true);
                    } else {
                        set_timeout(move || connect(live, next, true), std::time::Duration::from_millis(wait));
                    }
                });
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        callbacks.push(on_error);
    }
    for name in ["order", "balance", "audit", "health", "reset"] {
        let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            if let Some(data) = event.dyn_ref::<web_sys::MessageEvent>().and_then(|m| m.data().as_string()) {
                live.on_event(name, &data);
            }
        });
        let _ = source.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        callbacks.push(listener);
    }
    FEED.with(|feed| *feed.borrow_mut() = Some(Feed { source, _callbacks: callbacks }));
}

/// Opens the tab's stream for the signed-in shell, and closes it when the shell goes.
pub fn provide_live() -> Live {
    let notify = storage().and_then(|s| s.get_item(NOTIFY_KEY).ok().flatten()).is_some_and(|v| v == "on");
    let live = Live {
        link: RwSignal::new(Link::Connecting),
        last_update: RwSignal::new(None),
        orders: RwSignal::new(HashMap::new()),
        new_orders: RwSignal::new(Vec::new()),
        last_change: RwSignal::new(None),
        balance: RwSignal::new(None),
        balance_moves: RwSignal::new(0),
        audits: RwSignal::new(HashMap::new()),
        resets: RwSignal::new(0),
        upstream_up: RwSignal::new(None),
        notices: RwSignal::new(Vec::new()),
        notify: RwSignal::new(notify),
        signed_out: RwSignal::new(false),
        unseen: RwSignal::new(0),
        i18n: crate::i18n::use_i18n(),
    };
    provide_context(live);
    connect(live, 0, false);
    let visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if !hidden() {
            live.unseen.set(0);
            set_title(0);
        }
    });
    // A page the browser keeps for Back (the back/forward cache) keeps its stream open, and
    // over HTTP/1.1 a browser allows six connections per host: a few such pages and the
    // next page's reads wait forever. The stream closes when the page is put away, and
    // opens again, re-reading everything, if it is shown again.
    let hide = window_event_listener(leptos::ev::pagehide, move |_| {
        FEED.with(|feed| feed.borrow_mut().take());
    });
    let show = window_event_listener(leptos::ev::pageshow, move |event| {
        if event.persisted() {
            connect(live, 0, true);
        }
    });
    on_cleanup(move || {
        visible.remove();
        hide.remove();
        show.remove();
        FEED.with(|feed| feed.borrow_mut().take());
    });
    live
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}
