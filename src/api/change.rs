//! A change sent to the proxy on demand: a create, a cancel, a sign-in. Like a
//! [`Read`](super::Read), every change shares one action type inside, typed again where it
//! is used, so the framework's action machinery is compiled once.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use leptos::prelude::*;

use super::read::{downcast, Erased};

type Run = Box<dyn Fn(&Erased) -> Pin<Box<dyn Future<Output = Erased>>>>;

/// A change taking `I` and answering `O`. Copy it into as many closures as need it.
pub struct Change<I, O> {
    action: Action<Erased, Erased>,
    types: PhantomData<fn(I) -> O>,
}

impl<I, O> Clone for Change<I, O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I, O> Copy for Change<I, O> {}

impl<I, O> Change<I, O>
where
    I: Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    /// The change `run` makes for each input it is sent.
    pub fn new<Fut>(run: impl Fn(&I) -> Fut + 'static) -> Self
    where
        Fut: IntoFuture<Output = O> + 'static,
        Fut::IntoFuture: 'static,
    {
        let run: Run = Box::new(move |input| {
            // Only `dispatch` erases, and only an `I`.
            let answer = run(input.downcast_ref::<I>().expect("a change takes its own input"));
            Box::pin(async move { Arc::new(answer.await) as Erased })
        });
        // `run` has one type whatever `I` and `O` are, so the action is compiled once.
        Self { action: Action::new_local(run), types: PhantomData }
    }

    /// Sends the change.
    pub fn dispatch(&self, input: I) {
        self.action.dispatch(Arc::new(input));
    }

    /// The answer to the last change sent, once there is one; tracked.
    pub fn value(&self) -> Option<O> {
        self.action.value().get().map(|answer| downcast(&answer))
    }
}

impl<I, T, E> Change<I, Result<T, E>>
where
    I: Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
    E: Clone + Send + Sync + 'static,
{
    /// Runs `then` with each successful answer, as it arrives: what a page does after a
    /// change went through (read again, tell, clear the form).
    pub fn on_ok(&self, then: impl Fn(T) + 'static) {
        let change = *self;
        Effect::new(move |_| {
            if let Some(Ok(answer)) = change.value() {
                then(answer);
            }
        });
    }
}

impl<I, O> Change<I, O> {
    /// Whether a change is on its way; tracked.
    pub fn pending(&self) -> Memo<bool> {
        self.action.pending()
    }
}
