//! A read of the proxy that stays live: it fetches again when a signal its fetch reads
//! changes, or when asked to.
//!
//! Every read shares one resource type. Its answer is type-erased inside and typed again
//! where it is read, so the framework's async machinery (the resource, its futures, the
//! transition that shows it) is compiled once for the whole console instead of once per
//! fetch, which cost several KB of WebAssembly each.

use std::any::Any;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use leptos::prelude::*;

/// An answer whose type only its [`Read`] knows.
pub(crate) type Erased = Arc<dyn Any + Send + Sync>;
type Fetch = Box<dyn Fn() -> Pin<Box<dyn Future<Output = Erased>>>>;

/// A live read answering `T`. Copy it into as many closures as need it.
pub struct Read<T> {
    resource: LocalResource<Erased>,
    answer: PhantomData<fn() -> T>,
}

impl<T> Clone for Read<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Read<T> {}

impl<T: Clone + Send + Sync + 'static> Read<T> {
    /// Starts the read; `fetch` runs again whenever a signal it read changes.
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Self
    where
        Fut: IntoFuture<Output = T> + 'static,
        Fut::IntoFuture: 'static,
    {
        let fetch: Fetch = Box::new(move || {
            let answer = fetch();
            Box::pin(async move { Arc::new(answer.await) as Erased })
        });
        // `fetch` has one type whatever `T` is, so the resource is compiled once.
        Self { resource: LocalResource::new(fetch), answer: PhantomData }
    }

    /// The answer, once there is one; tracked.
    pub fn get(&self) -> Option<T> {
        self.resource.get().map(|answer| downcast(&answer))
    }

    /// The answer, once there is one; not tracked.
    pub fn get_untracked(&self) -> Option<T> {
        self.resource.get_untracked().map(|answer| downcast(&answer))
    }
}

impl<T> Read<T> {
    /// Fetches again.
    pub fn refetch(&self) {
        self.resource.refetch();
    }

    pub(crate) fn erased(&self) -> LocalResource<Erased> {
        self.resource
    }
}

/// The `T` of an answer of a `Read<T>`.
pub(crate) fn downcast<T: Clone + 'static>(answer: &Erased) -> T {
    // Only `Read::<T>::new` erases, and only a `T`.
    answer.downcast_ref::<T>().expect("a read answers with its own type").clone()
}
