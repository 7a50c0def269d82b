"""Every subscriber's vector-leg query in memory, so one matrix product names those a newcomer reaches."""
from __future__ import annotations

import weakref

import numpy as np

from matcher.alerts.store import AlertStore
from matcher.backends.types import CandidateFilter, Record

# Confirm a subscriber whose vector query gives N a cosine down to REACH_MARGIN below the least
# one that entered its pool: a pool's last cosine falls when profiles leave it, and the centring
# of the query follows the index's mean row.
REACH_MARGIN = 0.02


class SubscriberQueries:
    """Every subscriber's vector-leg query (`Matcher.vector_queries`) and stored `reach_vec`, in
    memory: one matrix product names the subscribers whose own vector leg a newcomer enters.
    What changed since it last looked (who subscribes, a subscriber's own profile, a reach
    measured for the first time; see `AlertStore.subscriber_changes`) is read again from the
    backend; 1.5 KB a subscriber at 384 dimensions. A stored reach that has risen since is not:
    the lower copy only lets more subscribers through to `out_of_pool`, which reads the store."""

    def __init__(self):
        self._state: tuple = (None, -1, [], np.zeros((0, 0), np.float32), np.zeros(0, np.float32))

    def refresh(self, matcher, store: AlertStore) -> tuple:
        """Read what changed since the last look; returns the state to use."""
        state = self._state
        if state[0] != id(matcher.backend) or state[1] != store.subscribers_changed():
            state = self._state = self._update(matcher, store, state)
        return state

    def entered(self, matcher, store: AlertStore, me: Record) -> list[str]:
        """The subscribers whose vector leg gives `me` a cosine no more than `REACH_MARGIN` under
        the least that entered their pool (all of them when it is not known)."""
        _, _, ids, queries, reach = self.refresh(matcher, store)
        near = matcher.reach_scores(me, queries)
        return [ids[i] for i in np.flatnonzero(near >= reach - REACH_MARGIN)]

    @staticmethod
    def _update(matcher, store: AlertStore, state: tuple) -> tuple:
        backend, since, ids, queries, reach = state
        if backend != id(matcher.backend):
            since, ids = -1, []
        count, now, changed = store.subscriber_changes(since)
        kept = [i for i, pid in enumerate(ids) if pid in now and pid not in changed]
        fresh = matcher.backend.features(sorted(changed), CandidateFilter(open_only=False))
        old = queries[kept] if kept else np.zeros((0, matcher.backend.dim), np.float32)
        unknown = -np.inf                 # never measured: every newcomer is checked
        fresh_reach = [unknown if changed[i].reach_vec is None else changed[i].reach_vec for i in fresh.ids]
        return (id(matcher.backend), count, [ids[i] for i in kept] + fresh.ids,
                np.vstack([old, matcher.vector_queries(fresh)]),
                np.concatenate([reach[kept], np.array(fresh_reach, np.float32)]))


_QUERIES: "weakref.WeakKeyDictionary[AlertStore, SubscriberQueries]" = weakref.WeakKeyDictionary()


def subscriber_queries(store: AlertStore) -> SubscriberQueries:
    """This process's `SubscriberQueries` for `store`."""
    return _QUERIES.setdefault(store, SubscriberQueries())
