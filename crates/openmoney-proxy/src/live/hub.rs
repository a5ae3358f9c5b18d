//! The hub every open console stream listens to: events with ids, a bounded buffer for
//! reconnects (`Last-Event-ID`), what each order's status was last seen as (so a change is
//! published once, whoever saw it first), and the open streams with their caps.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use openmoney_api::console::Role;
use serde_json::Value;
use tokio::sync::{broadcast, mpsc, watch};

/// Events kept for reconnecting consoles.
pub const REPLAY_BUFFER: usize = 1024;

/// What an event is about; the SSE event name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Order,
    Balance,
    Audit,
    Health,
    Reset,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Order => "order",
            Kind::Balance => "balance",
            Kind::Audit => "audit",
            Kind::Health => "health",
            Kind::Reset => "reset",
        }
    }
}

/// What a replica publishes, as the other replicas of one PostgreSQL store hear it
/// (see [`super::replicas`]): the inputs of the hub's methods, not the numbered events,
/// since every replica numbers its own.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum News {
    Order { order: Value, actor: Option<String> },
    Balance { balance: Value, transaction: Option<Value> },
    Audit { entry: openmoney_api::console::AuditEntry },
    Health { up: bool },
    Reset,
}

/// One published event.
#[derive(Debug)]
pub struct Event {
    pub seq: u64,
    pub kind: Kind,
    /// The least role that may see it.
    pub audience: Role,
    pub data: String,
}

/// An order's last seen status, and the event that set it.
#[derive(Debug, Clone)]
struct Seen {
    status: String,
    seq: u64,
}

#[derive(Default)]
struct Book {
    next_seq: u64,
    buffer: VecDeque<Arc<Event>>,
    orders: HashMap<i64, Seen>,
    balance: Option<String>,
    upstream_up: Option<bool>,
    /// Open streams by user.
    streams: HashMap<String, usize>,
}

pub struct Hub {
    /// Names this process's event ids, so an id from another process (a restart, another
    /// replica) is never mistaken for one of ours.
    instance: String,
    book: Mutex<Book>,
    sender: broadcast::Sender<Arc<Event>>,
    /// How many streams are open; the watcher runs while it is above zero.
    open: watch::Sender<usize>,
    /// Ended sessions and users, and shutdown: each stream listens.
    endings: broadcast::Sender<Ending>,
    per_user: usize,
    global: usize,
    /// Where news published here goes to reach the other replicas, when there are any.
    outbox: std::sync::OnceLock<mpsc::UnboundedSender<News>>,
}

/// What ends streams.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    /// A session (by its hash) signed out.
    Session(String),
    /// A user was disabled, removed, or given another role or password.
    User(String),
    Shutdown,
}

/// Why a stream could not open.
#[derive(Debug, PartialEq)]
pub enum Refused {
    UserCap(usize),
    GlobalCap,
}

/// A stream's place in the hub; closing it (dropping) frees the place.
pub struct Place {
    hub: Arc<Hub>,
    user: String,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut book = self.hub.lock();
        if let Some(count) = book.streams.get_mut(&self.user) {
            *count -= 1;
            if *count == 0 {
                book.streams.remove(&self.user);
            }
        }
        drop(book);
        self.hub.open.send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// What a new stream starts with: what it missed, then everything live.
pub struct Subscription {
    pub missed: Vec<Arc<Event>>,
    /// The reconnect's id is unknown or too old: the console must re-read everything.
    pub reset: bool,
    /// The last event sent before `live` begins.
    pub last: u64,
    pub live: broadcast::Receiver<Arc<Event>>,
}

impl Hub {
    pub fn new(per_user: usize, global: usize) -> Arc<Hub> {
        let (sender, _) = broadcast::channel(REPLAY_BUFFER);
        let instance = crate::tokens::random_token().chars().filter(char::is_ascii_alphanumeric).take(8).collect();
        Arc::new(Hub {
            instance,
            // Event 0 is never sent: a status learned silently carries it.
            book: Mutex::new(Book { next_seq: 1, ..Book::default() }),
            sender,
            open: watch::Sender::new(0),
            endings: broadcast::channel(64).0,
            per_user,
            global,
            outbox: std::sync::OnceLock::new(),
        })
    }

    /// This process's name among replicas.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// From now on, news published here is also handed to `outbox`, for the other replicas.
    pub fn relay_to(&self, outbox: mpsc::UnboundedSender<News>) {
        let _ = self.outbox.set(outbox);
    }

    fn relay(&self, news: News) {
        if let Some(outbox) = self.outbox.get() {
            // A closed outbox is a relay that stopped: this replica's consoles still hear.
            let _ = outbox.send(news);
        }
    }

    /// Publishes what another replica published, here only.
    pub fn apply(&self, news: News) {
        match news {
            News::Order { order, actor } => {
                self.order_here(&order, None, actor.as_deref());
            }
            News::Balance { balance, transaction } => {
                self.balance_here(&balance, transaction.as_ref());
            }
            News::Audit { entry } => self.audit_here(&entry),
            News::Health { up } => {
                self.health_here(up);
            }
            News::Reset => self.reset_here(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The id a console sends back in `Last-Event-ID`.
    pub fn event_id(&self, seq: u64) -> String {
        format!("{}-{seq}", self.instance)
    }

    fn parse_id(&self, id: &str) -> Option<u64> {
        let (instance, seq) = id.rsplit_once('-')?;
        (instance == self.instance).then(|| seq.parse().ok()).flatten()
    }

    pub fn open_streams(&self) -> watch::Receiver<usize> {
        self.open.subscribe()
    }

    pub fn endings(&self) -> broadcast::Receiver<Ending> {
        self.endings.subscribe()
    }

    /// Takes a place for a stream of `user`, within the caps.
    pub fn open(self: &Arc<Self>, user: &str) -> Result<Place, Refused> {
        let mut book = self.lock();
        let total: usize = book.streams.values().sum();
        let mine = book.streams.get(user).copied().unwrap_or(0);
        if mine >= self.per_user {
            return Err(Refused::UserCap(self.per_user));
        }
        if total >= self.global {
            return Err(Refused::GlobalCap);
        }
        *book.streams.entry(user.to_owned()).or_default() += 1;
        drop(book);
        self.open.send_modify(|n| *n += 1);
        Ok(Place { hub: self.clone(), user: user.to_owned() })
    }

    /// What a stream that last saw `last_id` missed, and the live feed after it, with no
    /// gap and no repeat between the two.
    pub fn subscribe(&self, last_id: Option<&str>) -> Subscription {
        let book = self.lock();
        let live = self.sender.subscribe();
        let last = book.next_seq - 1;
        let Some(last_id) = last_id else { return Subscription { missed: Vec::new(), reset: false, last, live } };
        let oldest = book.buffer.front().map_or(book.next_seq, |e| e.seq);
        match self.parse_id(last_id) {
            Some(seq) if seq < book.next_seq && seq + 1 >= oldest => {
                let missed = book.buffer.iter().filter(|e| e.seq > seq).cloned().collect();
                Subscription { missed, reset: false, last, live }
            }
            _ => Subscription { missed: Vec::new(), reset: true, last, live },
        }
    }

    fn push(&self, book: &mut Book, kind: Kind, audience: Role, data: String) -> u64 {
        let seq = book.next_seq;
        book.next_seq += 1;
        let event = Arc::new(Event { seq, kind, audience, data });
        if book.buffer.len() == REPLAY_BUFFER {
            book.buffer.pop_front();
        }
        book.buffer.push_back(event.clone());
        // No receiver is not an error: nobody is watching right now.
        let _ = self.sender.send(event);
        seq
    }

    /// The sequence number the next event will get: a watcher's round notes it at its
    /// start, so what the console published meanwhile is not overwritten by older news.
    pub fn mark(&self) -> u64 {
        self.lock().next_seq
    }

    /// The status an order was last seen with.
    pub fn status_of(&self, id: i64) -> Option<String> {
        self.lock().orders.get(&id).map(|s| s.status.clone())
    }

    /// Learns an order's status without telling anyone (a watcher's first look).
    pub fn learn(&self, id: i64, status: &str) {
        let mut book = self.lock();
        book.orders.entry(id).or_insert_with(|| Seen { status: status.to_owned(), seq: 0 });
    }

    /// Forgets orders that no longer need watching, but not what was published since
    /// `mark` (a change made through the console while the look was under way).
    pub fn forget(&self, mark: u64, keep: impl Fn(i64) -> bool) {
        self.lock().orders.retain(|id, seen| keep(*id) || seen.seq >= mark);
    }

    /// Publishes an order whose status may have changed. `since` is the [`Hub::mark`] of
    /// the look that found it: when something newer was published about the order since,
    /// this older news is dropped. Returns whether an event went out.
    pub fn order(&self, order: &Value, since: Option<u64>, actor: Option<&str>) -> bool {
        let told = self.order_here(order, since, actor);
        if told {
            self.relay(News::Order { order: order.clone(), actor: actor.map(str::to_owned) });
        }
        told
    }

    fn order_here(&self, order: &Value, since: Option<u64>, actor: Option<&str>) -> bool {
        let Some(id) = order["id"].as_i64() else { return false };
        let Some(status) = order["status"].as_str() else { return false };
        let mut book = self.lock();
        let previous = book.orders.get(&id).cloned();
        if let (Some(seen), Some(since)) = (&previous, since) {
            if seen.seq >= since {
                return false;
            }
        }
        // A status only learned (by a watcher's first look) was never told: a change made
        // through the console that the look happened to see first is still news.
        if previous.as_ref().is_some_and(|p| p.status == status && (p.seq > 0 || since.is_some())) {
            return false;
        }
        let data = serde_json::json!({
            "id": id,
            "status": status,
            // An order only learned as waiting for payment, told now by the console's create:
            // consoles never heard of it, so it is new to them.
            "previous_status": previous.as_ref().filter(|p| !(p.seq == 0 && p.status == status && status == "pending_payment")).map(|p| p.status.as_str()),
            "actor": actor,
            "order": order,
        });
        let seq = self.push(&mut book, Kind::Order, Role::Viewer, data.to_string());
        book.orders.insert(id, Seen { status: status.to_owned(), seq });
        true
    }

    /// Publishes the balance when it changed (`transaction`: what moved it, when known).
    pub fn balance(&self, balance: &Value, transaction: Option<&Value>) -> bool {
        let told = self.balance_here(balance, transaction);
        if told {
            self.relay(News::Balance { balance: balance.clone(), transaction: transaction.cloned() });
        }
        told
    }

    fn balance_here(&self, balance: &Value, transaction: Option<&Value>) -> bool {
        let text = balance.to_string();
        let mut book = self.lock();
        if book.balance.as_deref() == Some(text.as_str()) {
            return false;
        }
        let first = book.balance.is_none();
        book.balance = Some(text);
        if first && transaction.is_none() {
            // A watcher's first look: nothing changed yet.
            return false;
        }
        let data = serde_json::json!({"balance": balance, "transaction": transaction});
        self.push(&mut book, Kind::Balance, Role::Viewer, data.to_string());
        true
    }

    /// Publishes a change staff made, from its audit entry: entries about an order are
    /// shown on that order's page to everyone; others only in the admins' audit.
    pub fn audit(&self, entry: &openmoney_api::console::AuditEntry) {
        self.audit_here(entry);
        self.relay(News::Audit { entry: entry.clone() });
    }

    fn audit_here(&self, entry: &openmoney_api::console::AuditEntry) {
        let audience = if entry.order_id.is_some() { Role::Viewer } else { Role::Admin };
        let data = serde_json::to_string(entry).unwrap_or_default();
        let mut book = self.lock();
        self.push(&mut book, Kind::Audit, audience, data);
    }

    /// Publishes the upstream's health when it changed.
    pub fn health(&self, up: bool) {
        if self.health_here(up) {
            self.relay(News::Health { up });
        }
    }

    fn health_here(&self, up: bool) -> bool {
        let mut book = self.lock();
        if book.upstream_up == Some(up) {
            return false;
        }
        book.upstream_up = Some(up);
        let data = serde_json::json!({"upstream": if up { "up" } else { "down" }});
        self.push(&mut book, Kind::Health, Role::Viewer, data.to_string());
        true
    }

    /// The upstream's last known state.
    pub fn upstream_up(&self) -> Option<bool> {
        self.lock().upstream_up
    }

    /// Tells every console to re-read everything (after a gap in watching).
    pub fn reset(&self) {
        self.reset_here();
        self.relay(News::Reset);
    }

    fn reset_here(&self) {
        let mut book = self.lock();
        self.push(&mut book, Kind::Reset, Role::Viewer, "{}".into());
    }

    /// Forgets what was seen, when the watcher stops: its next start looks afresh.
    pub fn clear_seen(&self) {
        let mut book = self.lock();
        book.orders.clear();
        book.balance = None;
        book.upstream_up = None;
    }

    /// Ends the streams of one session, of one user, or all of them.
    pub fn end(&self, ending: Ending) {
        // No receiver is not an error: no stream is open.
        let _ = self.endings.send(ending);
    }
}

/// The live feed of one process.
pub struct Live {
    pub hub: Arc<Hub>,
}

impl Live {
    pub fn new(config: &crate::config::LiveConfig) -> Self {
        Live { hub: Hub::new(config.per_user, config.global) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_status_is_published_once_whoever_sees_it_first() {
        let hub = Hub::new(8, 100);
        hub.learn(7, "pending_payment");
        let mark = hub.mark();
        assert!(hub.order(&json!({"id": 7, "status": "cancelled"}), None, Some("otto")));
        // A watcher's look that began before the cancel still saw the order pending.
        assert!(!hub.order(&json!({"id": 7, "status": "pending_payment"}), Some(mark), None));
        assert!(!hub.order(&json!({"id": 7, "status": "cancelled"}), Some(hub.mark()), None));
        assert_eq!(hub.status_of(7).as_deref(), Some("cancelled"));
    }

    #[test]
    fn a_console_change_a_first_look_saw_first_is_still_told() {
        let hub = Hub::new(8, 100);
        // The first look listed the order between its create upstream and its audit.
        hub.learn(11, "pending_payment");
        assert!(hub.order(&json!({"id": 11, "status": "pending_payment"}), None, Some("otto")));
        let told: Value = serde_json::from_str(&hub.subscribe(Some(&hub.event_id(0))).missed[0].data).unwrap();
        assert_eq!(told["previous_status"], Value::Null, "a new order to every console");
        assert!(!hub.order(&json!({"id": 11, "status": "pending_payment"}), None, Some("otto")), "told once");
        hub.learn(12, "paid");
        assert!(!hub.order(&json!({"id": 12, "status": "paid"}), Some(hub.mark()), None), "a look learns quietly");
    }

    #[test]
    fn an_order_created_during_a_look_is_not_forgotten_and_told_twice() {
        let hub = Hub::new(8, 100);
        let mark = hub.mark();
        assert!(hub.order(&json!({"id": 9, "status": "pending_payment"}), None, Some("otto")));
        hub.forget(mark, |_| false);
        assert!(!hub.order(&json!({"id": 9, "status": "pending_payment"}), Some(hub.mark()), None));
    }

    #[test]
    fn a_reconnect_gets_what_it_missed_or_a_reset() {
        let hub = Hub::new(8, 100);
        for id in 1..=3 {
            hub.order(&json!({"id": id, "status": "pending_payment"}), None, None);
        }
        let missed = hub.subscribe(Some(&hub.event_id(1))).missed;
        assert_eq!(missed.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 3]);
        assert!(hub.subscribe(Some(&hub.event_id(3))).missed.is_empty());
        assert!(hub.subscribe(Some("elsewhere-1")).reset, "an id of another process");
        for id in 4..(REPLAY_BUFFER as i64 + 10) {
            hub.order(&json!({"id": id, "status": "paid"}), None, None);
        }
        assert!(hub.subscribe(Some(&hub.event_id(1))).reset, "an id older than the buffer");
    }

    #[test]
    fn what_is_told_here_is_relayed_once_and_what_is_relayed_in_is_not_sent_back() {
        let (leader, follower) = (Hub::new(8, 100), Hub::new(8, 100));
        let (outbox, mut relayed) = mpsc::unbounded_channel();
        leader.relay_to(outbox);
        let (back, mut echoed) = mpsc::unbounded_channel();
        follower.relay_to(back);
        leader.learn(5, "pending_payment");
        leader.order(&json!({"id": 5, "status": "pending_payment"}), Some(leader.mark()), None);
        leader.order(&json!({"id": 5, "status": "paid"}), Some(leader.mark()), None);
        leader.health(true);
        leader.health(true);
        let mut heard = Vec::new();
        while let Ok(news) = relayed.try_recv() {
            heard.push(news.clone());
            follower.apply(news);
        }
        assert_eq!(
            heard,
            [News::Order { order: json!({"id": 5, "status": "paid"}), actor: None }, News::Health { up: true }]
        );
        assert_eq!(follower.status_of(5).as_deref(), Some("paid"));
        assert_eq!(follower.upstream_up(), Some(true));
        assert!(echoed.try_recv().is_err(), "relayed news goes no further");
        // The follower's own console change, already told by the leader's watcher, is not told twice.
        assert!(!follower.order(&json!({"id": 5, "status": "paid"}), None, Some("otto")));
    }

    #[test]
    fn streams_are_capped_per_user_and_in_all() {
        let hub = Hub::new(2, 3);
        let a = hub.open("alice").unwrap();
        let _b = hub.open("alice").unwrap();
        assert_eq!(hub.open("alice").err(), Some(Refused::UserCap(2)));
        let _c = hub.open("bob").unwrap();
        assert_eq!(hub.open("carol").err(), Some(Refused::GlobalCap));
        drop(a);
        let _again = hub.open("alice").expect("a freed place is free again");
        assert_eq!(*hub.open_streams().borrow(), 3);
    }
}
