// Conformance of kvgate's /v2/key-value-stores dialect, driven by the official apify-client.
//
// Every case goes through the client's own key-value store methods where the client has one, and
// through a plain fetch (or node:http, where the raw bytes on the wire matter) where it has none:
// public URLs, Content-Encoding on the wire, signatures. The expected behaviour is the one pinned
// in v2-spec.md (issue 4) and ../shared/contract/API.md §4.
//
// Configuration (environment):
//   KVGATE_BASE_URL  e.g. http://localhost:8080 (the client's baseUrl and publicBaseUrl)
//   KVGATE_TOKEN     an admin API key (kv:admin) of the tenant the suite works in
//
// Run: node --test --test-reporter=spec conformance.test.mjs   (Node 18.15+; 20+ recommended)

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import zlib from 'node:zlib';
import { ApifyApiError, ApifyClient, KeyValueStoreClient, KeyValueStoreCollectionClient } from 'apify-client';

const BASE_URL = (process.env.KVGATE_BASE_URL ?? '').replace(/\/+$/, '');
const TOKEN = process.env.KVGATE_TOKEN ?? '';
if (!BASE_URL || !TOKEN) {
    throw new Error('Set KVGATE_BASE_URL (e.g. http://localhost:8080) and KVGATE_TOKEN (an admin API key).');
}
const V2 = `${BASE_URL}/v2/key-value-stores`;
const AUTH = { Authorization: `Bearer ${TOKEN}` };

// ---------------------------------------------------------------------------------------------
// Which client methods ran: every method of the two key-value store clients counts its calls.
// ---------------------------------------------------------------------------------------------
const STORE_METHODS = [
    'get', 'update', 'delete', 'listKeys', 'getRecord', 'setRecord', 'deleteRecord', 'recordExists',
    'getRecordPublicUrl', 'createKeysPublicUrl',
];
const COLLECTION_METHODS = ['list', 'getOrCreate'];
const calls = new Map();
function instrument(cls, names) {
    for (const name of names) {
        const original = cls.prototype[name];
        assert.equal(typeof original, 'function', `${cls.name}.${name} exists in this apify-client`);
        const label = `${cls.name}.${name}`;
        calls.set(label, 0);
        cls.prototype[name] = function counted(...args) {
            calls.set(label, calls.get(label) + 1);
            return original.apply(this, args);
        };
    }
}
instrument(KeyValueStoreClient, STORE_METHODS);
instrument(KeyValueStoreCollectionClient, COLLECTION_METHODS);

const client = new ApifyClient({ token: TOKEN, baseUrl: BASE_URL, publicBaseUrl: BASE_URL, maxRetries: 0 });
const anonymous = new ApifyClient({ baseUrl: BASE_URL, publicBaseUrl: BASE_URL, maxRetries: 0 });
function clientWith(token) {
    return new ApifyClient({ token, baseUrl: BASE_URL, publicBaseUrl: BASE_URL, maxRetries: 0 });
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------
const RUN = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
let sequence = 0;
/** A store name nobody else uses (contract name rule, at most 63 characters). */
function uniqueName(label) {
    sequence += 1;
    return `cf-${label}-${RUN}-${sequence}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Deletes the store when the test ends, whatever happened in it. */
function cleanUp(t, id) {
    t.after(async () => {
        await client.keyValueStore(id).delete();
    });
}

/** A new named store, deleted when the test ends. */
async function namedStore(t, label) {
    const store = await client.keyValueStores().getOrCreate(uniqueName(label));
    cleanUp(t, store.id);
    return store;
}

/** A new unnamed store, deleted when the test ends. */
async function unnamedStore(t) {
    const store = await client.keyValueStores().getOrCreate();
    cleanUp(t, store.id);
    return store;
}

/** Asserts that the promise rejects with an ApifyApiError of this status (and type, if given). */
async function rejectsWith(promise, status, type) {
    await assert.rejects(promise, (err) => {
        assert.ok(err instanceof ApifyApiError, `expected an ApifyApiError, got: ${err?.stack ?? err}`);
        assert.equal(err.statusCode, status, `status of: ${err.message}`);
        if (type) assert.equal(err.type, type, `error type of: ${err.message}`);
        return true;
    });
}

/** Asserts a raw error answer: status and the {"error": {"type", "message"}} envelope. */
async function assertErrorAnswer(res, status, type) {
    const text = typeof res.text === 'function' ? await res.text() : res.body.toString('utf8');
    assert.equal(res.status, status, `status (body: ${text})`);
    let body;
    try {
        body = JSON.parse(text);
    } catch {
        assert.fail(`error body is not JSON: ${text}`);
    }
    assert.equal(typeof body.error, 'object', `error envelope: ${text}`);
    if (type) assert.equal(body.error.type, type, `error type: ${text}`);
    assert.equal(typeof body.error.message, 'string');
    assert.ok(body.error.message.length > 0, 'error message is not empty');
}

/** One request with node:http: no automatic Accept-Encoding and no decoding of the answer. */
function raw(method, url, { headers = {}, body } = {}) {
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method, headers, agent: false }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
            res.on('error', reject);
        });
        req.on('error', reject);
        if (body !== undefined) req.write(body);
        req.end();
    });
}

/** Runs fn over items with at most `limit` calls in flight. */
async function mapLimit(items, limit, fn) {
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            await fn(items[i], i);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const utf8Compare = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const jsonBytes = (value) => Buffer.byteLength(JSON.stringify(value, null, 2));
const BROTLI_AS_THE_CLIENT = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 6 } };

// The signing algorithm of apify-shared-js (v2-spec.md "Signed URLs"), to make signatures the
// client has no helper for (an expired one). Checked against the spec's vectors and the client.
const BASE62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
function hmacSignature(secret, message) {
    let n = BigInt(`0x${createHmac('sha256', secret).update(message).digest('hex').slice(0, 30)}`);
    let out = '';
    while (n > 0n) {
        out = BASE62[Number(n % 62n)] + out;
        n /= 62n;
    }
    return out || '0';
}
function storageContentSignature(secret, storeId, expiresAtMillis) {
    const hmac = hmacSignature(secret, `0.${expiresAtMillis}.${storeId}`);
    return Buffer.from(`0.${expiresAtMillis}.${hmac}`).toString('base64url');
}
/** The same signature with its last character replaced by another base62/base64url one. */
// Changes a character in the middle: the last character of unpadded base64 may carry only
// padding bits, so changing it can leave the decoded signature as it was.
function tamper(signature) {
    const at = Math.floor(signature.length / 2);
    const c = signature[at];
    return signature.slice(0, at) + (c === 'A' ? 'B' : 'A') + signature.slice(at + 1);
}

const ID_RX = /^[0-9A-Za-z]{17}$/;
const ISO_MS_RX = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const STORE_FIELDS = [
    'id', 'name', 'userId', 'username', 'createdAt', 'modifiedAt', 'accessedAt', 'actId', 'actRunId',
    'consoleUrl', 'keysPublicUrl', 'urlSigningSecretKey', 'generalAccess', 'stats',
];
const STATS_FIELDS = ['readCount', 'writeCount', 'deleteCount', 'listCount', 's3StorageBytes', 'storageBytes'];

/** A 17-character base62 id that no store has (random). */
function missingId() {
    let id = '';
    for (const b of randomBytes(17)) id += BASE62[b % 62];
    return id;
}

/** Every store of the caller, page by page through offset/limit, checking each page's envelope. */
async function listAllStores(options = {}) {
    const all = [];
    let offset = 0;
    for (;;) {
        const page = await client.keyValueStores().list({ ...options, offset, limit: 1000 });
        assert.equal(page.offset, offset, 'offset echoed');
        assert.equal(page.limit, 1000, 'limit echoed');
        assert.equal(page.desc, Boolean(options.desc), 'desc echoed');
        assert.equal(page.unnamed, Boolean(options.unnamed), 'unnamed echoed');
        assert.ok(Number.isInteger(page.total), 'total is an integer');
        assert.equal(page.count, page.items.length, 'count is the number of items');
        all.push(...page.items);
        offset += page.count;
        if (page.count === 0 || offset >= page.total) {
            assert.equal(all.length, page.total, 'total counts every store across the pages');
            return all;
        }
    }
}

// =============================================================================================
describe('store collection: list and getOrCreate', () => {
    it('getOrCreate(name) creates the store once, then returns the same store', async (t) => {
        const name = uniqueName('goc');
        assert.equal(await client.keyValueStore(`~${name}`).get(), undefined, 'no such store before');
        const first = await client.keyValueStores().getOrCreate(name);
        cleanUp(t, first.id);
        assert.match(first.id, ID_RX);
        assert.equal(first.name, name);
        const second = await client.keyValueStores().getOrCreate(name);
        assert.equal(second.id, first.id, 'same id the second time');
        assert.equal(second.name, name);
        assert.equal(second.createdAt.getTime(), first.createdAt.getTime(), 'not created anew');
        const byName = await client.keyValueStore(`~${name}`).get();
        assert.equal(byName.id, first.id);
    });

    it('POST ?name= answers 201 with Location for a new store and 200 for an existing one', async (t) => {
        const name = uniqueName('post');
        const created = await fetch(`${V2}?name=${name}`, { method: 'POST', headers: AUTH });
        assert.equal(created.status, 201);
        const store = (await created.json()).data;
        cleanUp(t, store.id);
        assert.equal(store.name, name);
        assert.equal(created.headers.get('location'), `${V2}/${store.id}`);
        const again = await fetch(`${V2}?name=${name}`, { method: 'POST', headers: AUTH });
        assert.equal(again.status, 200);
        assert.equal((await again.json()).data.id, store.id);
        const viaClient = await client.keyValueStores().getOrCreate(name);
        assert.equal(viaClient.id, store.id);
    });

    it('getOrCreate() without a name makes a new unnamed store every time', async (t) => {
        const a = await unnamedStore(t);
        const b = await unnamedStore(t);
        assert.match(a.id, ID_RX);
        assert.equal(a.name ?? null, null, 'unnamed: name is null');
        assert.notEqual(a.id, b.id, 'two calls, two stores');
        const fetched = await client.keyValueStore(a.id).get();
        assert.equal(fetched.id, a.id);
        assert.equal(fetched.name ?? null, null);
    });

    it('getOrCreate refuses a bad name (400 invalid-parameter) and a schema (400 invalid-input)', async () => {
        await rejectsWith(client.keyValueStores().getOrCreate('-starts-with-a-dash'), 400, 'invalid-parameter');
        await rejectsWith(client.keyValueStores().getOrCreate('x'.repeat(64)), 400, 'invalid-parameter');
        const name = uniqueName('schema');
        const schema = { actorKeyValueStoreSchemaVersion: 1, title: 't', collections: {} };
        await rejectsWith(client.keyValueStores().getOrCreate(name, { schema }), 400, 'invalid-input');
        assert.equal(await client.keyValueStore(`~${name}`).get(), undefined, 'nothing was created');
    });

    it('list() pages named stores in createdAt order; unnamed: true adds unnamed ones; desc reverses', async (t) => {
        const a = await namedStore(t, 'la');
        await sleep(5);
        const b = await namedStore(t, 'lb');
        await sleep(5);
        const c = await namedStore(t, 'lc');
        const u = await unnamedStore(t);
        const ours = [a.id, b.id, c.id];

        const asc = await listAllStores();
        const ascIds = asc.map((s) => s.id);
        for (const id of ours) assert.ok(ascIds.includes(id), `named store ${id} is listed`);
        assert.ok(!ascIds.includes(u.id), 'unnamed store is not listed by default');
        for (const s of asc) assert.equal(typeof s.name, 'string', 'default listing: named stores only');
        assert.ok(ascIds.indexOf(a.id) < ascIds.indexOf(b.id) && ascIds.indexOf(b.id) < ascIds.indexOf(c.id),
            'ascending by creation');
        for (let i = 1; i < asc.length; i++) {
            assert.ok(asc[i - 1].createdAt <= asc[i].createdAt, 'sorted by createdAt ascending');
        }
        for (const s of asc) {
            assert.ok(s.createdAt instanceof Date, 'list items have Date createdAt');
            assert.match(s.id, ID_RX);
        }

        const desc = await listAllStores({ desc: true });
        const descIds = desc.map((s) => s.id);
        assert.ok(descIds.indexOf(c.id) < descIds.indexOf(b.id) && descIds.indexOf(b.id) < descIds.indexOf(a.id),
            'descending by creation');
        for (let i = 1; i < desc.length; i++) {
            assert.ok(desc[i - 1].createdAt >= desc[i].createdAt, 'sorted by createdAt descending');
        }
        assert.equal(desc.length, asc.length, 'same stores either way');

        const withUnnamed = await listAllStores({ unnamed: true });
        const withUnnamedIds = withUnnamed.map((s) => s.id);
        assert.ok(withUnnamedIds.includes(u.id), 'unnamed: true lists the unnamed store');
        for (const id of ours) assert.ok(withUnnamedIds.includes(id), 'and the named ones');
        assert.ok(withUnnamed.length > asc.length, 'unnamed: true lists more');

        // A window in the middle: offset and limit select exactly that slice.
        const window = await client.keyValueStores().list({ offset: 1, limit: 2 });
        assert.equal(window.offset, 1);
        assert.equal(window.limit, 2);
        assert.equal(window.count, 2);
        assert.equal(window.total, asc.length);
        assert.deepEqual(window.items.map((s) => s.id), ascIds.slice(1, 3));

        // The client's own iteration (offset pagination through the async iterator).
        const iterated = [];
        for await (const s of client.keyValueStores().list({ unnamed: true })) iterated.push(s.id);
        assert.deepEqual(iterated, withUnnamedIds);
    });

    it('list() clamps limit to 1000 and refuses bad numbers with 400 invalid-parameter', async () => {
        const clamped = await client.keyValueStores().list({ limit: 5000 });
        assert.equal(clamped.limit, 1000);
        assert.ok(clamped.count <= 1000);
        const past = await client.keyValueStores().list({ offset: 1_000_000 });
        assert.equal(past.count, 0);
        assert.deepEqual(past.items, []);
        for (const q of ['limit=abc', 'limit=0', 'offset=-1']) {
            await assertErrorAnswer(await fetch(`${V2}?${q}`, { headers: AUTH }), 400, 'invalid-parameter');
        }
    });
});

// =============================================================================================
describe('store object: get, update, delete, addressing', () => {
    it('get() returns every field of the store object, filled in', async (t) => {
        const created = await namedStore(t, 'fields');
        const other = await namedStore(t, 'fields2');
        const store = await client.keyValueStore(created.id).get();
        for (const f of STORE_FIELDS) assert.ok(f in store, `field ${f} is present`);
        assert.match(store.id, ID_RX);
        assert.equal(store.id, created.id);
        assert.equal(store.name, created.name);
        assert.match(store.userId, ID_RX, 'userId: 17 base62 characters');
        assert.equal(other.userId, store.userId, 'same userId for every store of the tenant');
        assert.equal(typeof store.username, 'string');
        assert.ok(store.username.length > 0);
        assert.equal(other.username, store.username);
        for (const f of ['createdAt', 'modifiedAt', 'accessedAt']) {
            assert.ok(store[f] instanceof Date && !Number.isNaN(store[f].getTime()), `${f} parses as a Date`);
            assert.ok(Math.abs(Date.now() - store[f].getTime()) < 10 * 60_000, `${f} is about now`);
        }
        assert.equal(store.actId, null);
        assert.equal(store.actRunId, null);
        assert.equal(store.consoleUrl, null);
        assert.equal(store.generalAccess, 'FOLLOW_USER_SETTING', 'default generalAccess');
        assert.equal(typeof store.urlSigningSecretKey, 'string', 'the admin sees urlSigningSecretKey');
        assert.ok(store.urlSigningSecretKey.length >= 16);
        for (const f of STATS_FIELDS) assert.equal(store.stats[f], 0, `stats.${f} of a new store`);

        // The wire format of the times: ISO-8601 UTC with milliseconds.
        const wire = (await (await fetch(`${V2}/${store.id}`, { headers: AUTH })).json()).data;
        for (const f of ['createdAt', 'modifiedAt', 'accessedAt']) assert.match(wire[f], ISO_MS_RX, `${f} on the wire`);

        // keysPublicUrl: signed for 14 days, and it works without any credential.
        const keysUrl = new URL(store.keysPublicUrl);
        assert.equal(`${keysUrl.origin}${keysUrl.pathname}`, `${V2}/${store.id}/keys`);
        const sig = keysUrl.searchParams.get('signature');
        assert.ok(sig, 'keysPublicUrl carries a signature');
        const [version, expiresAt, hmac] = Buffer.from(sig, 'base64url').toString('utf8').split('.');
        assert.equal(version, '0');
        const days = (Number(expiresAt) - Date.now()) / 86_400_000;
        assert.ok(days > 13.9 && days <= 14.01, `keysPublicUrl valid for 14 days (got ${days.toFixed(3)})`);
        assert.equal(hmac, hmacSignature(store.urlSigningSecretKey, `0.${expiresAt}.${store.id}`));
        const res = await fetch(store.keysPublicUrl);
        assert.equal(res.status, 200);
        assert.deepEqual((await res.json()).data.items, []);
    });

    it('stats counters and times move with reads, writes, deletes and key listings', async (t) => {
        const { id } = await namedStore(t, 'stats');
        const kvs = client.keyValueStore(id);
        const s0 = await kvs.get();
        const text = 'hello';
        const json = { x: 1 };
        await sleep(15);

        await kvs.setRecord({ key: 'a', value: text });
        await kvs.setRecord({ key: 'b', value: json });
        const s1 = await kvs.get();
        assert.equal(s1.stats.writeCount, 2);
        assert.equal(s1.stats.readCount, 0);
        assert.equal(s1.stats.deleteCount, 0);
        assert.equal(s1.stats.listCount, 0);
        const bytes = Buffer.byteLength(text) + jsonBytes(json);
        assert.equal(s1.stats.storageBytes, bytes, 'storageBytes = stored bytes of live records');
        assert.equal(s1.stats.s3StorageBytes, bytes);
        assert.equal(s1.createdAt.getTime(), s0.createdAt.getTime(), 'createdAt is fixed');
        assert.ok(s1.modifiedAt > s0.modifiedAt, 'a record write moves modifiedAt');
        assert.ok(s1.accessedAt > s0.accessedAt, 'a record write moves accessedAt');

        const again = await kvs.get();
        assert.deepEqual(again.stats, s1.stats, 'getting the store object counts nothing');
        await sleep(15);

        assert.equal((await kvs.getRecord('a')).value, text);
        const s2 = await kvs.get();
        assert.equal(s2.stats.readCount, 1, 'a record GET counts one read');
        assert.equal(s2.modifiedAt.getTime(), s1.modifiedAt.getTime(), 'a read leaves modifiedAt');
        assert.ok(s2.accessedAt > s1.accessedAt, 'a read moves accessedAt');
        await sleep(15);

        assert.equal(await kvs.recordExists('b'), true);
        const s3 = await kvs.get();
        assert.equal(s3.stats.readCount, 2, 'a record HEAD counts one read');
        assert.ok(s3.accessedAt > s2.accessedAt, 'a HEAD moves accessedAt');
        await sleep(15);

        const keys = await kvs.listKeys();
        assert.deepEqual(keys.items.map((i) => i.key), ['a', 'b']);
        assert.equal(keys.items.reduce((sum, i) => sum + i.size, 0), bytes, 'sizes add up to storageBytes');
        const s4 = await kvs.get();
        assert.equal(s4.stats.listCount, 1, 'a keys listing counts one list');
        assert.ok(s4.accessedAt > s3.accessedAt, 'a keys listing moves accessedAt');
        assert.equal(s4.modifiedAt.getTime(), s1.modifiedAt.getTime());
        await sleep(15);

        await kvs.deleteRecord('a');
        const s5 = await kvs.get();
        assert.equal(s5.stats.deleteCount, 1, 'a delete counts one delete');
        assert.equal(s5.stats.storageBytes, jsonBytes(json), 'the deleted record no longer counts');
        assert.equal(s5.stats.s3StorageBytes, jsonBytes(json));
        assert.ok(s5.modifiedAt > s4.modifiedAt, 'a record delete moves modifiedAt');
        assert.ok(s5.accessedAt > s4.accessedAt, 'a record delete moves accessedAt');

        await kvs.deleteRecord('a');
        const s6 = await kvs.get();
        assert.equal(s6.stats.deleteCount, 1, 'deleting a missing record removes nothing and counts nothing');
        assert.equal(s6.stats.writeCount, 2);
        assert.equal(s6.createdAt.getTime(), s0.createdAt.getTime());
        await sleep(15);

        const updated = await kvs.update({ generalAccess: 'RESTRICTED' });
        assert.ok(updated.modifiedAt > s6.modifiedAt, 'a store update moves modifiedAt');
    });

    it('get() of a missing store resolves undefined', async () => {
        assert.equal(await client.keyValueStore(missingId()).get(), undefined);
        assert.equal(await client.keyValueStore('not-an-id').get(), undefined);
        assert.equal(await client.keyValueStore(`~${uniqueName('nobody')}`).get(), undefined);
        await assertErrorAnswer(await fetch(`${V2}/${missingId()}`, { headers: AUTH }), 404, 'record-not-found');
    });

    it('update({name}) renames; ~old is gone and ~new finds the store', async (t) => {
        const store = await namedStore(t, 'ren');
        const newName = uniqueName('renamed');
        const updated = await client.keyValueStore(store.id).update({ name: newName });
        assert.equal(updated.id, store.id);
        assert.equal(updated.name, newName);
        assert.equal((await client.keyValueStore(store.id).get()).name, newName);
        assert.equal(await client.keyValueStore(`~${store.name}`).get(), undefined, 'old name is free');
        assert.equal((await client.keyValueStore(`~${newName}`).get()).id, store.id);
        // title is accepted and ignored
        const titled = await client.keyValueStore(store.id).update({ title: 'ignored' });
        assert.equal(titled.name, newName);
        // name: null makes the store unnamed, a name makes it named again
        const unnamed = await client.keyValueStore(store.id).update({ name: null });
        assert.equal(unnamed.name ?? null, null);
        const listed = (await listAllStores()).map((s) => s.id);
        assert.ok(!listed.includes(store.id), 'an unnamed store leaves the default listing');
        const renamed = await client.keyValueStore(store.id).update({ name: store.name });
        assert.equal(renamed.name, store.name);
    });

    it('update({generalAccess}) sets each value; an unknown one is 400 invalid-parameter', async (t) => {
        const { id } = await namedStore(t, 'ga');
        for (const ga of ['RESTRICTED', 'ANYONE_WITH_ID_CAN_READ', 'ANYONE_WITH_NAME_CAN_READ', 'FOLLOW_USER_SETTING']) {
            const updated = await client.keyValueStore(id).update({ generalAccess: ga });
            assert.equal(updated.generalAccess, ga);
            assert.equal((await client.keyValueStore(id).get()).generalAccess, ga);
        }
        await rejectsWith(client.keyValueStore(id).update({ generalAccess: 'EVERYONE' }), 400, 'invalid-parameter');
        assert.equal((await client.keyValueStore(id).get()).generalAccess, 'FOLLOW_USER_SETTING');
    });

    it('renaming onto a taken name rejects with 400 name-not-unique and changes nothing', async (t) => {
        const a = await namedStore(t, 'ta');
        const b = await namedStore(t, 'tb');
        await rejectsWith(client.keyValueStore(b.id).update({ name: a.name }), 400, 'name-not-unique');
        assert.equal((await client.keyValueStore(b.id).get()).name, b.name);
        assert.equal((await client.keyValueStore(`~${a.name}`).get()).id, a.id);
    });

    it('names are case-sensitive', async (t) => {
        const store = await namedStore(t, 'case');
        assert.equal(await client.keyValueStore(`~${store.name.toUpperCase()}`).get(), undefined);
        const upper = await client.keyValueStores().getOrCreate(store.name.toUpperCase());
        cleanUp(t, upper.id);
        assert.notEqual(upper.id, store.id, 'the upper-case name is another store');
    });

    it('delete() removes the store: get() resolves undefined, records are gone, a second delete resolves', async (t) => {
        const store = await namedStore(t, 'del');
        const kvs = client.keyValueStore(store.id);
        await kvs.setRecord({ key: 'k', value: 'v' });
        await kvs.delete();
        assert.equal(await kvs.get(), undefined);
        assert.equal(await client.keyValueStore(`~${store.name}`).get(), undefined);
        assert.equal(await kvs.getRecord('k'), undefined);
        assert.equal(await kvs.recordExists('k'), false);
        await rejectsWith(kvs.listKeys(), 404, 'record-not-found');
        await rejectsWith(kvs.setRecord({ key: 'k', value: 'v' }), 404, 'record-not-found');
        await kvs.delete(); // 404 is "absent" to the client
        const again = await fetch(`${V2}/${store.id}`, { method: 'DELETE', headers: AUTH });
        await assertErrorAnswer(again, 404, 'record-not-found');
        const names = (await listAllStores()).map((s) => s.name);
        assert.ok(!names.includes(store.name), 'a deleted store is not listed');
    });

    it('stores are addressed by id, ~name, username~name and the client\'s username/name', async (t) => {
        const store = await namedStore(t, 'addr');
        const { username } = store;
        const byTilde = client.keyValueStore(`~${store.name}`);
        const byUser = client.keyValueStore(`${username}~${store.name}`);
        const bySlash = client.keyValueStore(`${username}/${store.name}`);
        for (const kvs of [byTilde, byUser, bySlash]) {
            const got = await kvs.get();
            assert.equal(got.id, store.id);
            assert.equal(got.name, store.name);
        }
        await byTilde.setRecord({ key: 'via-tilde', value: { by: '~name' } });
        await byUser.setRecord({ key: 'via-user', value: 'by username~name' });
        const byId = client.keyValueStore(store.id);
        assert.deepEqual((await byId.getRecord('via-tilde')).value, { by: '~name' });
        assert.equal((await bySlash.getRecord('via-user')).value, 'by username~name');
        assert.equal(await byUser.recordExists('via-tilde'), true);
        assert.deepEqual((await byTilde.listKeys()).items.map((i) => i.key), ['via-tilde', 'via-user']);
        await byUser.deleteRecord('via-tilde');
        assert.equal(await byId.recordExists('via-tilde'), false);
        const viaName = await byTilde.update({ generalAccess: 'RESTRICTED' });
        assert.equal(viaName.id, store.id);
        assert.equal(viaName.generalAccess, 'RESTRICTED');
        assert.equal(await client.keyValueStore(`${username}~${uniqueName('none')}`).get(), undefined);
        assert.equal(await client.keyValueStore(`${username}x~${store.name}`).get(), undefined, 'another username');
    });
});

// =============================================================================================
describe('records: setRecord, getRecord, recordExists, deleteRecord', () => {
    it('JSON values round-trip deep-equal with application/json; charset=utf-8', async (t) => {
        const { id } = await namedStore(t, 'json');
        const kvs = client.keyValueStore(id);
        const values = {
            object: { a: 1, nested: { list: [1, 'two', { three: 3 }], flag: true, nothing: null } },
            array: [1, 2.5, 'x', null, false, { y: [] }],
            unicode: { ключ: '值 ✓ 🎉', 'with space': 'ok' },
            empty: {},
            number: 42,
            boolean: true,
            null: null,
        };
        for (const [key, value] of Object.entries(values)) {
            await kvs.setRecord({ key, value });
        }
        for (const [key, value] of Object.entries(values)) {
            const record = await kvs.getRecord(key);
            assert.equal(record.key, key);
            assert.deepEqual(record.value, value, `value of ${key}`);
            assert.equal(record.contentType, 'application/json; charset=utf-8', `content type of ${key}`);
        }
        const sizes = Object.fromEntries((await kvs.listKeys()).items.map((i) => [i.key, i.size]));
        for (const [key, value] of Object.entries(values)) assert.equal(sizes[key], jsonBytes(value), `size of ${key}`);
    });

    it('a JSON content type with a body that is not JSON is 400 invalid-value, nothing written', async (t) => {
        const { id } = await namedStore(t, 'badjson');
        const kvs = client.keyValueStore(id);
        // The client cannot send invalid JSON as application/json (axios JSON-encodes a string that
        // does not parse), so the plain case goes raw; application/ld+json goes through the client.
        const rawPut = await fetch(`${V2}/${id}/records/bad`, {
            method: 'PUT', headers: { ...AUTH, 'Content-Type': 'application/json; charset=utf-8' }, body: '{not json',
        });
        await assertErrorAnswer(rawPut, 400, 'invalid-value');
        await rejectsWith(kvs.setRecord({ key: 'bad', value: 'nope', contentType: 'application/ld+json' }),
            400, 'invalid-value');
        assert.equal(await kvs.recordExists('bad'), false);
        // A JSON string given as text is valid JSON.
        await kvs.setRecord({ key: 'str', value: '"a string"', contentType: 'application/json' });
        assert.equal((await kvs.getRecord('str')).value, 'a string');
        // Text that is not JSON, given as application/json, is sent by the client as a JSON string.
        await kvs.setRecord({ key: 'wrapped', value: '{not json', contentType: 'application/json' });
        assert.equal((await kvs.getRecord('wrapped')).value, '{not json');
    });

    it('text round-trips as a string with text/plain; charset=utf-8', async (t) => {
        const { id } = await namedStore(t, 'text');
        const kvs = client.keyValueStore(id);
        const text = 'héllo wörld ✓ — line 1\nline 2\ttab 🎉';
        await kvs.setRecord({ key: 'greeting', value: text });
        const record = await kvs.getRecord('greeting');
        assert.equal(record.value, text);
        assert.equal(record.contentType, 'text/plain; charset=utf-8');
        assert.equal((await kvs.listKeys()).items[0].size, Buffer.byteLength(text));
    });

    it('a binary Buffer round-trips byte-exact with application/octet-stream', async (t) => {
        const { id } = await namedStore(t, 'bin');
        const kvs = client.keyValueStore(id);
        const all256 = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
        await kvs.setRecord({ key: 'bytes', value: all256 });
        const record = await kvs.getRecord('bytes');
        assert.ok(Buffer.isBuffer(record.value), 'binary comes back as a Buffer');
        assert.ok(record.value.equals(all256), 'all 256 byte values, byte-exact');
        assert.equal(record.contentType, 'application/octet-stream');
        const buffered = await kvs.getRecord('bytes', { buffer: true });
        assert.ok(buffered.value.equals(all256));
        assert.equal((await kvs.listKeys()).items[0].size, 256);
    });

    it('a custom content type is stored and answered verbatim', async (t) => {
        const { id } = await namedStore(t, 'ctype');
        const kvs = client.keyValueStore(id);
        const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(64)]);
        await kvs.setRecord({ key: 'image.png', value: png, contentType: 'image/png' });
        await kvs.setRecord({ key: 'custom', value: Buffer.from('v3 payload'), contentType: 'application/x-kvgate-test; version=3' });
        await kvs.setRecord({ key: 'page.html', value: '<p>hi</p>', contentType: 'text/html; charset=utf-8' });
        const image = await kvs.getRecord('image.png');
        assert.equal(image.contentType, 'image/png');
        assert.ok(image.value.equals(png));
        const custom = await kvs.getRecord('custom');
        assert.equal(custom.contentType, 'application/x-kvgate-test; version=3');
        assert.equal(Buffer.from(custom.value).toString('utf8'), 'v3 payload');
        const html = await kvs.getRecord('page.html');
        assert.equal(html.contentType, 'text/html; charset=utf-8');
        assert.equal(html.value, '<p>hi</p>', 'with attachment=true the HTML comes back raw');
    });

    it('overwriting a record replaces its value and content type', async (t) => {
        const { id } = await namedStore(t, 'over');
        const kvs = client.keyValueStore(id);
        await kvs.setRecord({ key: 'k', value: { v: 1 } });
        await kvs.setRecord({ key: 'k', value: 'now text' });
        const record = await kvs.getRecord('k');
        assert.equal(record.value, 'now text');
        assert.equal(record.contentType, 'text/plain; charset=utf-8');
        assert.equal((await kvs.listKeys()).count, 1);
    });

    it('an empty body is a zero-byte record', async (t) => {
        const { id } = await namedStore(t, 'empty');
        const kvs = client.keyValueStore(id);
        await kvs.setRecord({ key: 'nothing', value: '' });
        assert.equal(await kvs.recordExists('nothing'), true);
        const record = await kvs.getRecord('nothing');
        assert.ok(record, 'the record exists');
        assert.equal(record.value, undefined, 'the client turns an empty body into undefined');
        assert.equal(record.contentType, 'text/plain; charset=utf-8');
        assert.deepEqual((await kvs.listKeys()).items.map((i) => [i.key, i.size]), [['nothing', 0]]);
    });

    it('5 MiB records (JSON and binary) round-trip byte-exact', async (t) => {
        const { id } = await namedStore(t, 'large');
        const kvs = client.keyValueStore(id);
        const fiveMiB = 5 * 1024 * 1024;
        const items = [];
        let size = 0;
        for (let i = 0; size < fiveMiB; i++) {
            const item = { i, id: randomBytes(8).toString('hex'), text: `record ${i} `.repeat(20) };
            items.push(item);
            size += jsonBytes(item);
        }
        const big = { items };
        assert.ok(jsonBytes(big) >= fiveMiB);
        await kvs.setRecord({ key: 'big.json', value: big });
        const json = await kvs.getRecord('big.json');
        assert.equal(json.contentType, 'application/json; charset=utf-8');
        assert.equal(json.value.items.length, items.length);
        assert.deepEqual(json.value, big);

        const bin = randomBytes(fiveMiB);
        await kvs.setRecord({ key: 'big.bin', value: bin });
        const got = await kvs.getRecord('big.bin');
        assert.equal(got.contentType, 'application/octet-stream');
        assert.equal(got.value.length, bin.length);
        assert.equal(sha256(got.value), sha256(bin), 'byte-exact');

        // Decoded bytes on the wire, too.
        const wire = await raw('GET', `${V2}/${id}/records/big.bin`, { headers: { ...AUTH, 'Accept-Encoding': 'identity' } });
        assert.equal(wire.status, 200);
        assert.equal(wire.headers['content-encoding'], undefined);
        assert.equal(sha256(wire.body), sha256(bin));
        assert.equal(await kvs.recordExists('big.bin'), true);
        await kvs.deleteRecord('big.bin');
        assert.equal(await kvs.recordExists('big.bin'), false);
    });

    it('keys with every special character of the key rule go raw in the path and round-trip', async (t) => {
        const { id } = await namedStore(t, 'keys');
        const kvs = client.keyValueStore(id);
        const keys = [
            "a-b_c.d!e'f(g)h",
            'x*y=z:w@v~u',
            "!'()*-_.=:@~",
            'AZaz09',
            'k'.repeat(256),
            'l'.repeat(512),
        ];
        for (const [i, key] of keys.entries()) await kvs.setRecord({ key, value: { i, key } });
        for (const [i, key] of keys.entries()) {
            assert.equal(await kvs.recordExists(key), true, `exists: ${key}`);
            assert.deepEqual((await kvs.getRecord(key)).value, { i, key }, `value of ${key}`);
        }
        const listed = (await kvs.listKeys()).items.map((i) => i.key);
        assert.deepEqual(listed, [...keys].sort(utf8Compare), 'listed exactly, in UTF-8 byte order');
        for (const key of keys) await kvs.deleteRecord(key);
        for (const key of keys) assert.equal(await kvs.recordExists(key), false, `deleted: ${key}`);
        assert.equal((await kvs.listKeys()).count, 0);
    });

    it('a key with "/" segments (allowed by the contract key rule) round-trips', async (t) => {
        const { id } = await namedStore(t, 'slash');
        const kvs = client.keyValueStore(id);
        const key = 'dir/sub-dir/file.txt';
        await kvs.setRecord({ key, value: 'in a folder' });
        assert.equal(await kvs.recordExists(key), true);
        assert.equal((await kvs.getRecord(key)).value, 'in a folder');
        assert.deepEqual((await kvs.listKeys({ prefix: 'dir/' })).items.map((i) => i.key), [key]);
        await kvs.deleteRecord(key);
        assert.equal(await kvs.getRecord(key), undefined);
    });

    it('invalid keys are refused with 400 invalid-record-key', async (t) => {
        const { id } = await namedStore(t, 'badkeys');
        const kvs = client.keyValueStore(id);
        for (const key of ['x'.repeat(513), 'with space', 'ключ', 'a"b', 'a,b', 'a+b', 'a$b']) {
            await rejectsWith(kvs.setRecord({ key, value: 'v' }), 400, 'invalid-record-key');
        }
        assert.equal((await kvs.listKeys()).count, 0, 'nothing written');
    });

    it('a key with ";" (sent raw by the client) is 400 invalid-record-key', async (t) => {
        const { id } = await namedStore(t, 'semikey');
        const kvs = client.keyValueStore(id);
        await rejectsWith(kvs.setRecord({ key: 'semi;colon', value: 'v' }), 400, 'invalid-record-key');
        assert.equal((await kvs.listKeys()).count, 0, 'nothing written');
    });

    it('missing records: getRecord undefined, recordExists false, deleteRecord resolves (204)', async (t) => {
        const { id } = await namedStore(t, 'missing');
        const kvs = client.keyValueStore(id);
        assert.equal(await kvs.getRecord('nope'), undefined);
        assert.equal(await kvs.recordExists('nope'), false);
        await kvs.deleteRecord('nope');
        const del = await fetch(`${V2}/${id}/records/nope`, { method: 'DELETE', headers: AUTH });
        assert.equal(del.status, 204);
        assert.equal((await del.arrayBuffer()).byteLength, 0);
        await assertErrorAnswer(await fetch(`${V2}/${id}/records/nope`, { headers: AUTH }), 404, 'record-not-found');
        const head = await raw('HEAD', `${V2}/${id}/records/nope`, { headers: AUTH });
        assert.equal(head.status, 404);
        assert.equal(head.body.length, 0);
        // On a store that does not exist
        const gone = client.keyValueStore(missingId());
        assert.equal(await gone.getRecord('nope'), undefined);
        assert.equal(await gone.recordExists('nope'), false);
        await rejectsWith(gone.deleteRecord('nope'), 404, 'record-not-found');
    });

    it('record answers carry ETag, Last-Modified, Vary and, with attachment, Content-Disposition', async (t) => {
        const { id } = await namedStore(t, 'headers');
        const kvs = client.keyValueStore(id);
        await kvs.setRecord({ key: 'doc.txt', value: 'one' });
        const url = `${V2}/${id}/records/doc.txt`;
        const first = await fetch(`${url}?attachment=true`, { headers: AUTH });
        assert.equal(first.status, 200);
        assert.equal(await first.text(), 'one');
        assert.equal(first.headers.get('content-type'), 'text/plain; charset=utf-8');
        assert.match(first.headers.get('etag') ?? '', /^"\d+"$/);
        assert.ok(!Number.isNaN(Date.parse(first.headers.get('last-modified') ?? '')), 'Last-Modified is a date');
        assert.match(first.headers.get('vary') ?? '', /accept-encoding/i);
        assert.equal(first.headers.get('content-disposition'), 'attachment; filename="doc.txt"');
        const plain = await fetch(url, { headers: AUTH });
        assert.equal(plain.headers.get('content-disposition'), null, 'no attachment, no Content-Disposition');
        await plain.arrayBuffer();

        await kvs.setRecord({ key: 'doc.txt', value: 'two' });
        const second = await fetch(url, { headers: AUTH });
        assert.equal(await second.text(), 'two');
        const rev = (r) => Number(r.headers.get('etag').replaceAll('"', ''));
        assert.ok(rev(second) > rev(first), 'the ETag (revision) grows with a write');

        const head = await raw('HEAD', url, { headers: AUTH });
        assert.equal(head.status, 200);
        assert.equal(head.headers['content-type'], 'text/plain; charset=utf-8');
        assert.equal(head.body.length, 0);

        const put = await fetch(`${V2}/${id}/records/posted`, {
            method: 'POST', headers: { ...AUTH, 'Content-Type': 'text/plain' }, body: 'via POST',
        });
        assert.equal(put.status, 201);
        assert.equal(put.headers.get('location'), `${V2}/${id}/records/posted`);
        assert.deepEqual(await put.json(), {});
        assert.equal((await kvs.getRecord('posted')).value, 'via POST');
    });
});

// =============================================================================================
describe('Content-Encoding: stored as sent, served as accepted', () => {
    it('a gzip body sent raw is stored gzip and served gzip or decoded per Accept-Encoding', async (t) => {
        const { id } = await namedStore(t, 'gzip');
        const kvs = client.keyValueStore(id);
        const text = 'gzip me please, '.repeat(200);
        const gz = zlib.gzipSync(Buffer.from(text));
        const url = `${V2}/${id}/records/zipped.txt`;
        const put = await fetch(url, {
            method: 'PUT',
            headers: { ...AUTH, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Encoding': 'gzip' },
            body: gz,
        });
        assert.equal(put.status, 201);
        assert.equal(put.headers.get('location'), url);
        assert.deepEqual(await put.json(), {});

        const record = await kvs.getRecord('zipped.txt');
        assert.equal(record.value, text, 'the client gets the decoded text');
        assert.equal(record.contentType, 'text/plain; charset=utf-8');

        const identity = await fetch(url, { headers: { ...AUTH, 'Accept-Encoding': 'identity' } });
        assert.equal(identity.status, 200);
        assert.equal(identity.headers.get('content-encoding'), null);
        assert.equal(await identity.text(), text);

        const gzipped = await fetch(url, { headers: { ...AUTH, 'Accept-Encoding': 'gzip' } });
        assert.equal(gzipped.headers.get('content-encoding'), 'gzip');
        assert.equal(await gzipped.text(), text, 'fetch decodes it');

        const wire = await raw('GET', url, { headers: { ...AUTH, 'Accept-Encoding': 'gzip, deflate' } });
        assert.equal(wire.headers['content-encoding'], 'gzip');
        assert.ok(wire.body.equals(gz), 'the stored gzip bytes exactly as sent');
        const none = await raw('GET', url, { headers: AUTH });
        assert.equal(none.headers['content-encoding'], undefined, 'no Accept-Encoding: decoded');
        assert.equal(none.body.toString('utf8'), text);
        const refused = await raw('GET', url, { headers: { ...AUTH, 'Accept-Encoding': 'gzip;q=0, br' } });
        assert.equal(refused.headers['content-encoding'], undefined, 'gzip;q=0: decoded');
        assert.equal(refused.body.toString('utf8'), text);
        const star = await raw('GET', url, { headers: { ...AUTH, 'Accept-Encoding': '*' } });
        assert.equal(star.headers['content-encoding'], 'gzip', '* accepts the stored encoding');

        const keys = await kvs.listKeys();
        assert.equal(keys.items[0].size, gz.length, 'size is the stored (compressed) size');
    });

    it('the client brotli-compresses bodies of 1024+ bytes; the record is stored br', async (t) => {
        const { id } = await namedStore(t, 'br');
        const kvs = client.keyValueStore(id);
        const text = 'brotli text record, '.repeat(100);
        const value = { list: Array.from({ length: 100 }, (_, i) => ({ i, s: 'brotli json' })) };
        await kvs.setRecord({ key: 'big.txt', value: text });
        await kvs.setRecord({ key: 'big.json', value });
        assert.equal((await kvs.getRecord('big.txt')).value, text);
        assert.deepEqual((await kvs.getRecord('big.json')).value, value);

        for (const [key, plain] of [['big.txt', Buffer.from(text)], ['big.json', Buffer.from(JSON.stringify(value, null, 2))]]) {
            const url = `${V2}/${id}/records/${key}`;
            const br = await raw('GET', url, { headers: { ...AUTH, 'Accept-Encoding': 'br' } });
            assert.equal(br.status, 200);
            assert.equal(br.headers['content-encoding'], 'br', `${key} stored br`);
            assert.ok(zlib.brotliDecompressSync(br.body).equals(plain), `${key}: br bytes decode to the value`);
            const expected = zlib.brotliCompressSync(plain, BROTLI_AS_THE_CLIENT);
            assert.ok(br.body.equals(expected), `${key}: the bytes the client sent, unchanged`);

            const identity = await raw('GET', url, { headers: { ...AUTH, 'Accept-Encoding': 'identity' } });
            assert.equal(identity.headers['content-encoding'], undefined);
            assert.ok(identity.body.equals(plain), `${key}: identity gets decoded bytes`);
            const gzipOnly = await raw('GET', url, { headers: { ...AUTH, 'Accept-Encoding': 'gzip' } });
            assert.equal(gzipOnly.headers['content-encoding'], undefined, 'br not accepted: decoded');
            assert.ok(gzipOnly.body.equals(plain));
            const fetched = await fetch(url, { headers: { ...AUTH, 'Accept-Encoding': 'br' } });
            assert.equal(fetched.headers.get('content-encoding'), 'br');
            assert.ok(Buffer.from(await fetched.arrayBuffer()).equals(plain));
        }
        const sizes = Object.fromEntries((await kvs.listKeys()).items.map((i) => [i.key, i.size]));
        assert.equal(sizes['big.txt'], zlib.brotliCompressSync(Buffer.from(text), BROTLI_AS_THE_CLIENT).length);
        const small = 'x'.repeat(1023);
        await kvs.setRecord({ key: 'small.txt', value: small });
        const smallWire = await raw('GET', `${V2}/${id}/records/small.txt`, { headers: { ...AUTH, 'Accept-Encoding': 'br' } });
        assert.equal(smallWire.headers['content-encoding'], undefined, 'under 1024 bytes the client sends it plain');
        assert.equal(smallWire.body.toString(), small);
    });

    it('a deflate body round-trips; unknown or undecodable encodings are 415', async (t) => {
        const { id } = await namedStore(t, 'deflate');
        const kvs = client.keyValueStore(id);
        const value = { deflated: true, list: [1, 2, 3] };
        const body = zlib.deflateSync(Buffer.from(JSON.stringify(value)));
        const put = await fetch(`${V2}/${id}/records/d.json`, {
            method: 'PUT', headers: { ...AUTH, 'Content-Type': 'application/json', 'Content-Encoding': 'deflate' }, body,
        });
        assert.equal(put.status, 201);
        const record = await kvs.getRecord('d.json');
        assert.deepEqual(record.value, value);
        assert.equal(record.contentType, 'application/json');
        const wire = await raw('GET', `${V2}/${id}/records/d.json`, { headers: { ...AUTH, 'Accept-Encoding': 'deflate' } });
        assert.equal(wire.headers['content-encoding'], 'deflate');
        assert.ok(wire.body.equals(body));

        const bla = await fetch(`${V2}/${id}/records/x`, {
            method: 'PUT', headers: { ...AUTH, 'Content-Type': 'text/plain', 'Content-Encoding': 'bla' }, body: 'x',
        });
        await assertErrorAnswer(bla, 415, 'unsupported-content-encoding');
        const badJson = await fetch(`${V2}/${id}/records/x`, {
            method: 'PUT',
            headers: { ...AUTH, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
            body: zlib.gzipSync(Buffer.from('{broken')),
        });
        await assertErrorAnswer(badJson, 400, 'invalid-value');
        assert.equal(await kvs.recordExists('x'), false, 'nothing written');
    });
});

// =============================================================================================
describe('Content-Encoding: undecodable bodies', () => {
    it('a body that does not decode with the encoding it names is 415, nothing written', async (t) => {
        const { id } = await namedStore(t, 'undecodable');
        const kvs = client.keyValueStore(id);
        const cases = [
            ['gzip', 'text/plain', Buffer.from('not gzip at all')],
            ['br', 'application/octet-stream', Buffer.from('not brotli at all')],
            ['deflate', 'text/plain', Buffer.from('not deflate at all')],
            ['gzip', 'text/plain', zlib.gzipSync(Buffer.from('cut short, cut short')).subarray(0, 12)],
        ];
        for (const [encoding, contentType, body] of cases) {
            const key = `bad-${encoding}-${body.length}`;
            const put = await fetch(`${V2}/${id}/records/${key}`, {
                method: 'PUT', headers: { ...AUTH, 'Content-Type': contentType, 'Content-Encoding': encoding }, body,
            });
            await assertErrorAnswer(put, 415, 'unsupported-content-encoding');
            assert.equal(await kvs.recordExists(key), false, `${key} not written`);
        }
    });
});

// =============================================================================================
describe('listKeys', () => {
    it('pages 2,500 keys in UTF-8 byte order with limit and exclusiveStartKey; prefix filters', async (t) => {
        const { id } = await namedStore(t, 'page');
        const kvs = client.keyValueStore(id);
        const leads = ['!', "'", '(', ')', '*', '-', '.', '0', '9', ':', '=', '@', 'A', 'Z', '_', 'a', 'z', '~'];
        const keys = [];
        for (let i = 0; i < 2499; i++) {
            keys.push(i < 150 ? `pre-${i.toString(36)}` : `${leads[i % leads.length]}${i.toString(36)}`);
        }
        keys.push('pre'); // shorter than and a prefix of the pre- keys, but not matched by prefix "pre-"
        assert.equal(new Set(keys).size, 2500);
        const value = (key) => `v:${key}`;
        await mapLimit(keys, 32, (key) => kvs.setRecord({ key, value: value(key) }));
        const expected = [...keys].sort(utf8Compare);

        // limit 1000, three pages
        const seen = [];
        let exclusiveStartKey;
        const pages = [];
        do {
            const page = await kvs.listKeys({ limit: 1000, exclusiveStartKey });
            pages.push(page);
            assert.equal(page.limit, 1000);
            assert.equal(page.count, page.items.length);
            assert.equal(page.exclusiveStartKey ?? null, exclusiveStartKey ?? null, 'exclusiveStartKey echoed');
            if (page.isTruncated) {
                assert.equal(page.nextExclusiveStartKey, page.items.at(-1).key, 'next key = last key of the page');
            } else {
                assert.equal(page.nextExclusiveStartKey, null, 'no next key on the last page');
            }
            for (const item of page.items) {
                assert.equal(item.size, Buffer.byteLength(value(item.key)), `size of ${item.key}`);
                assert.equal(typeof item.recordPublicUrl, 'string');
            }
            seen.push(...page.items.map((i) => i.key));
            exclusiveStartKey = page.nextExclusiveStartKey;
        } while (pages.at(-1).isTruncated);
        assert.deepEqual(pages.map((p) => p.count), [1000, 1000, 500]);
        assert.deepEqual(pages.map((p) => p.isTruncated), [true, true, false]);
        assert.equal(new Set(seen).size, seen.length, 'no key twice');
        assert.deepEqual(seen, expected, 'every key once, in UTF-8 byte order');

        // default limit is 1000; larger limits are clamped to 1000
        const first = await kvs.listKeys();
        assert.equal(first.limit, 1000);
        assert.equal(first.count, 1000);
        assert.equal(first.isTruncated, true);
        assert.equal(first.exclusiveStartKey ?? null, null);
        const clamped = await kvs.listKeys({ limit: 5000 });
        assert.equal(clamped.limit, 1000);
        assert.equal(clamped.count, 1000);
        await assertErrorAnswer(await fetch(`${V2}/${id}/keys?limit=0`, { headers: AUTH }), 400, 'invalid-parameter');
        await assertErrorAnswer(await fetch(`${V2}/${id}/keys?limit=-5`, { headers: AUTH }), 400, 'invalid-parameter');

        // a small limit, and the client's own iteration over all pages
        const small = await kvs.listKeys({ limit: 7 });
        assert.deepEqual(small.items.map((i) => i.key), expected.slice(0, 7));
        assert.equal(small.nextExclusiveStartKey, expected[6]);
        const iterated = [];
        for await (const item of kvs.listKeys()) iterated.push(item.key);
        assert.deepEqual(iterated, expected, 'the client\'s async iterator sees every key once');

        // exclusiveStartKey is a position, not a lookup
        for (const position of ['M', 'pre-', '0zz', '~~~~']) {
            assert.ok(!keys.includes(position));
            const page = await kvs.listKeys({ exclusiveStartKey: position, limit: 50 });
            assert.deepEqual(page.items.map((i) => i.key),
                expected.filter((k) => utf8Compare(k, position) > 0).slice(0, 50), `after ${position}`);
        }
        const tail = await kvs.listKeys({ exclusiveStartKey: expected.at(-1) });
        assert.equal(tail.count, 0);
        assert.equal(tail.isTruncated, false);
        assert.equal(tail.nextExclusiveStartKey, null);

        // prefix
        const pre = expected.filter((k) => k.startsWith('pre-'));
        assert.equal(pre.length, 150);
        const byPrefix = await kvs.listKeys({ prefix: 'pre-' });
        assert.deepEqual(byPrefix.items.map((i) => i.key), pre);
        assert.equal(byPrefix.isTruncated, false);
        const prePage1 = await kvs.listKeys({ prefix: 'pre-', limit: 100 });
        assert.equal(prePage1.isTruncated, true);
        const prePage2 = await kvs.listKeys({ prefix: 'pre-', limit: 100, exclusiveStartKey: prePage1.nextExclusiveStartKey });
        assert.deepEqual([...prePage1.items, ...prePage2.items].map((i) => i.key), pre);
        assert.equal(prePage2.isTruncated, false);
        const tilde = await kvs.listKeys({ prefix: '~' });
        assert.deepEqual(tilde.items.map((i) => i.key), expected.filter((k) => k.startsWith('~')));
        assert.equal((await kvs.listKeys({ prefix: 'nothing-here' })).count, 0);

        const stats = (await kvs.get()).stats;
        assert.equal(stats.writeCount, 2500);
        assert.equal(stats.storageBytes, keys.reduce((sum, k) => sum + Buffer.byteLength(value(k)), 0));
    });
});

// =============================================================================================
describe('public URLs and signatures', () => {
    it('the signing helper of this suite matches the spec\'s vectors', () => {
        assert.equal(hmacSignature('hmac-secret-key', 'hmac-message-to-be-authenticated'), 'pcVagAsudj8dFqdlg7mG');
        assert.equal(hmacSignature('hmac-secret-key', '0.0.resource-id'), '3TwfEE659ufSNsmS47lR');
        assert.equal(storageContentSignature('hmac-secret-key', 'resource-id', 0), 'MC4wLjNUd2ZFRTY1OXVmU05zbVM0N2xS');
    });

    it('getRecordPublicUrl(key) is fetched without any credential; a tampered signature is 403', async (t) => {
        const { id } = await namedStore(t, 'pubrec');
        const kvs = client.keyValueStore(id);
        await kvs.update({ generalAccess: 'RESTRICTED' });
        const value = { public: 'via signature', n: 7 };
        await kvs.setRecord({ key: 'pub.json', value });
        const bin = randomBytes(300);
        await kvs.setRecord({ key: "odd!key'(x)", value: bin });
        const { urlSigningSecretKey } = await kvs.get();

        const url = await kvs.getRecordPublicUrl('pub.json');
        const parsed = new URL(url);
        assert.equal(`${parsed.origin}${parsed.pathname}`, `${V2}/${id}/records/pub.json`);
        assert.equal(parsed.searchParams.get('signature'), hmacSignature(urlSigningSecretKey, 'pub.json'));
        const res = await fetch(url);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
        assert.deepEqual(await res.json(), value);
        const head = await raw('HEAD', url);
        assert.equal(head.status, 200, 'HEAD honours the signature too');

        const oddUrl = await kvs.getRecordPublicUrl("odd!key'(x)");
        const odd = await fetch(oddUrl);
        assert.equal(odd.status, 200);
        assert.ok(Buffer.from(await odd.arrayBuffer()).equals(bin));

        // the record URLs in the keys listing are the same signed links
        const items = (await kvs.listKeys()).items;
        for (const item of items) {
            const u = new URL(item.recordPublicUrl);
            assert.equal(u.searchParams.get('signature'), hmacSignature(urlSigningSecretKey, item.key));
            assert.equal((await fetch(item.recordPublicUrl)).status, 200, `recordPublicUrl of ${item.key}`);
        }

        const tampered = new URL(url);
        tampered.searchParams.set('signature', tamper(tampered.searchParams.get('signature')));
        await assertErrorAnswer(await fetch(tampered), 403, 'insufficient-permissions');
        const otherKey = new URL(url);
        otherKey.searchParams.set('signature', hmacSignature(urlSigningSecretKey, "odd!key'(x)"));
        await assertErrorAnswer(await fetch(otherKey), 403, 'insufficient-permissions');
        const garbage = new URL(url);
        garbage.searchParams.set('signature', '!!!');
        await assertErrorAnswer(await fetch(garbage), 403, 'insufficient-permissions');
        const unsigned = new URL(url);
        unsigned.search = '';
        await assertErrorAnswer(await fetch(unsigned), 401, 'token-not-provided');
        await assertErrorAnswer(await fetch(`${V2}/${id}/keys`), 401, 'token-not-provided');
        await assertErrorAnswer(await fetch(`${V2}/${id}`), 401, 'token-not-provided');
    });

    it('createKeysPublicUrl() and createKeysPublicUrl({expiresInSecs}) list keys without a credential', async (t) => {
        const { id } = await namedStore(t, 'pubkeys');
        const kvs = client.keyValueStore(id);
        await kvs.update({ generalAccess: 'RESTRICTED' });
        await kvs.setRecord({ key: 'a', value: 'A' });
        await kvs.setRecord({ key: 'b-1', value: 'B1' });
        await kvs.setRecord({ key: 'b-2', value: 'B2' });
        const { urlSigningSecretKey } = await kvs.get();

        const forever = await kvs.createKeysPublicUrl();
        const sig = new URL(forever).searchParams.get('signature');
        assert.equal(sig, storageContentSignature(urlSigningSecretKey, id, 0), 'the client signs as the spec says');
        const res = await fetch(forever);
        assert.equal(res.status, 200);
        const data = (await res.json()).data;
        assert.deepEqual(data.items.map((i) => i.key), ['a', 'b-1', 'b-2']);
        assert.equal(data.isTruncated, false);

        const expiring = await kvs.createKeysPublicUrl({ expiresInSecs: 60 });
        const [, expiresAt] = Buffer.from(new URL(expiring).searchParams.get('signature'), 'base64url').toString().split('.');
        assert.ok(Number(expiresAt) > Date.now(), 'expires in the future');
        const res60 = await fetch(expiring);
        assert.equal(res60.status, 200);
        assert.equal((await res60.json()).data.count, 3);

        // Query parameters are not covered by the signature: prefix and limit are appended freely.
        const filtered = await kvs.createKeysPublicUrl({ prefix: 'b-', limit: 1 });
        const page = (await (await fetch(filtered)).json()).data;
        assert.deepEqual(page.items.map((i) => i.key), ['b-1']);
        assert.equal(page.isTruncated, true);

        // The ZIP of all records takes the keys-style signature.
        const zipUrl = `${V2}/${id}/records?signature=${encodeURIComponent(sig)}`;
        const zip = await fetch(zipUrl);
        assert.equal(zip.status, 200);
        assert.match(zip.headers.get('content-type') ?? '', /^application\/zip/);
        assert.equal(zip.headers.get('content-disposition'), `attachment; filename="${id}.zip"`);
        const zipBytes = Buffer.from(await zip.arrayBuffer());
        assert.equal(zipBytes.subarray(0, 2).toString('latin1'), 'PK');
        for (const key of ['a', 'b-1', 'b-2']) assert.ok(zipBytes.includes(Buffer.from(key)), `ZIP names ${key}`);

        // Padding is optional.
        const padded = Buffer.from(Buffer.from(sig, 'base64url').toString()).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
        assert.equal((await fetch(`${V2}/${id}/keys?signature=${encodeURIComponent(padded)}`)).status, 200, 'padded signature');

        const bad = new URL(forever);
        bad.searchParams.set('signature', tamper(sig));
        await assertErrorAnswer(await fetch(bad), 403, 'insufficient-permissions');
        const expired = storageContentSignature(urlSigningSecretKey, id, Date.now() - 60_000);
        await assertErrorAnswer(await fetch(`${V2}/${id}/keys?signature=${expired}`), 403, 'insufficient-permissions');
        await assertErrorAnswer(await fetch(`${V2}/${id}/records?signature=${expired}`), 403, 'insufficient-permissions');
        // A record signature is not a keys signature, nor the other way round.
        const recordSig = hmacSignature(urlSigningSecretKey, 'a');
        await assertErrorAnswer(await fetch(`${V2}/${id}/keys?signature=${recordSig}`), 403, 'insufficient-permissions');
        await assertErrorAnswer(await fetch(`${V2}/${id}/records/a?signature=${sig}`), 403, 'insufficient-permissions');
        // Another store's signature does not open this one.
        const other = await namedStore(t, 'pubkeys2');
        const otherUrl = new URL(await client.keyValueStore(other.id).createKeysPublicUrl());
        await assertErrorAnswer(await fetch(`${V2}/${id}/keys?signature=${otherUrl.searchParams.get('signature')}`),
            403, 'insufficient-permissions');
        // A signature for a store that does not exist: 403 as well.
        await assertErrorAnswer(await fetch(`${V2}/${missingId()}/keys?signature=${sig}`), 403, 'insufficient-permissions');
    });
});

// =============================================================================================
describe('access: generalAccess, the anonymous client, limited API keys', () => {
    it('ANYONE_WITH_ID_CAN_READ: a client without token reads by id but cannot write', async (t) => {
        const store = await namedStore(t, 'anyid');
        const kvs = client.keyValueStore(store.id);
        await kvs.setRecord({ key: 'r', value: { open: true } });
        const updated = await kvs.update({ generalAccess: 'ANYONE_WITH_ID_CAN_READ' });
        assert.equal(updated.generalAccess, 'ANYONE_WITH_ID_CAN_READ');

        const anon = anonymous.keyValueStore(store.id);
        const seen = await anon.get();
        assert.equal(seen.id, store.id);
        assert.equal(seen.name, store.name);
        assert.equal(seen.urlSigningSecretKey, null, 'no signing key without write access');
        assert.deepEqual((await anon.getRecord('r')).value, { open: true });
        assert.equal(await anon.recordExists('r'), true);
        assert.equal(await anon.getRecord('missing'), undefined);
        assert.deepEqual((await anon.listKeys()).items.map((i) => i.key), ['r']);
        const unsignedUrl = new URL(await anon.getRecordPublicUrl('r'));
        assert.equal(unsignedUrl.searchParams.has('signature'), false, 'nothing to sign with');
        assert.equal((await fetch(unsignedUrl)).status, 200, 'readable by id anyway');

        await rejectsWith(anon.setRecord({ key: 'w', value: 'no' }), 401, 'token-not-provided');
        await rejectsWith(anon.deleteRecord('r'), 401, 'token-not-provided');
        await rejectsWith(anon.update({ name: uniqueName('steal') }), 401, 'token-not-provided');
        await rejectsWith(anon.delete(), 401, 'token-not-provided');
        assert.equal(await kvs.recordExists('w'), false);
        assert.equal(await kvs.recordExists('r'), true);
        // by name needs ANYONE_WITH_NAME_CAN_READ
        await rejectsWith(anonymous.keyValueStore(`${store.username}~${store.name}`).get(), 401, 'token-not-provided');
        await rejectsWith(anonymous.keyValueStore(`~${store.name}`).get(), 401, 'token-not-provided');
        await rejectsWith(anonymous.keyValueStores().list(), 401, 'token-not-provided');
        await rejectsWith(anonymous.keyValueStores().getOrCreate(uniqueName('anon')), 401, 'token-not-provided');
    });

    it('ANYONE_WITH_NAME_CAN_READ: a client without token also reads by username~name', async (t) => {
        const store = await namedStore(t, 'anyname');
        const kvs = client.keyValueStore(store.id);
        await kvs.setRecord({ key: 'r', value: 'by name' });
        await kvs.update({ generalAccess: 'ANYONE_WITH_NAME_CAN_READ' });
        for (const address of [store.id, `${store.username}~${store.name}`, `${store.username}/${store.name}`]) {
            const anon = anonymous.keyValueStore(address);
            assert.equal((await anon.get()).id, store.id, `get by ${address}`);
            assert.equal((await anon.getRecord('r')).value, 'by name', `getRecord by ${address}`);
            await rejectsWith(anon.setRecord({ key: 'r', value: 'x' }), 401, 'token-not-provided');
        }
        await rejectsWith(anonymous.keyValueStore(`~${store.name}`).get(), 401, 'token-not-provided');
    });

    it('RESTRICTED and FOLLOW_USER_SETTING (default RESTRICTED): no credential, 401 token-not-provided', async (t) => {
        const store = await namedStore(t, 'restricted');
        const kvs = client.keyValueStore(store.id);
        await kvs.setRecord({ key: 'r', value: 'secret' });
        for (const ga of ['RESTRICTED', 'FOLLOW_USER_SETTING']) {
            await kvs.update({ generalAccess: ga });
            const anon = anonymous.keyValueStore(store.id);
            await rejectsWith(anon.get(), 401, 'token-not-provided');
            await rejectsWith(anon.getRecord('r'), 401, 'token-not-provided');
            await rejectsWith(anon.listKeys(), 401, 'token-not-provided');
            await rejectsWith(anon.recordExists('r'), 401);
            await rejectsWith(anon.setRecord({ key: 'r', value: 'x' }), 401, 'token-not-provided');
        }
        // whether or not the store exists
        await rejectsWith(anonymous.keyValueStore(missingId()).get(), 401, 'token-not-provided');
        await rejectsWith(anonymous.keyValueStore(missingId()).getRecord('r'), 401, 'token-not-provided');
        assert.equal((await kvs.getRecord('r')).value, 'secret');
    });

    it('a wrong token is 401 invalid-token', async (t) => {
        const store = await namedStore(t, 'wrongtok');
        const wrong = clientWith(`kvg_${randomBytes(24).toString('hex')}`);
        await rejectsWith(wrong.keyValueStore(store.id).get(), 401, 'invalid-token');
        await rejectsWith(wrong.keyValueStores().list(), 401, 'invalid-token');
        await rejectsWith(wrong.keyValueStore(store.id).setRecord({ key: 'k', value: 'v' }), 401, 'invalid-token');
    });

    it('API keys with fewer permissions: kv:read reads only, kv:write writes records, bucket globs narrow', async (t) => {
        const makeKey = async (body) => {
            const res = await fetch(`${BASE_URL}/auth/api-keys`, {
                method: 'POST', headers: { ...AUTH, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
            });
            assert.equal(res.status, 201, `create API key: ${await res.clone().text()}`);
            const created = await res.json();
            t.after(async () => {
                await fetch(`${BASE_URL}/auth/api-keys/${created.id}`, { method: 'DELETE', headers: AUTH });
            });
            return created.key;
        };
        const inside = await namedStore(t, 'in');
        const outside = await namedStore(t, 'out');
        const unnamed = await unnamedStore(t);
        await client.keyValueStore(inside.id).setRecord({ key: 'k', value: 'inside' });

        const reader = clientWith(await makeKey({ name: 'cf-reader', permissions: ['kv:read'] }));
        const readStore = reader.keyValueStore(inside.id);
        const seen = await readStore.get();
        assert.equal(seen.id, inside.id);
        assert.equal(seen.urlSigningSecretKey, null, 'kv:read does not see urlSigningSecretKey');
        assert.equal((await readStore.getRecord('k')).value, 'inside');
        assert.equal((await readStore.listKeys()).count, 1);
        const readerUrl = new URL(await readStore.getRecordPublicUrl('k'));
        assert.equal(readerUrl.searchParams.has('signature'), false, 'the client cannot sign without the key');
        await rejectsWith(readStore.setRecord({ key: 'k', value: 'x' }), 403, 'insufficient-permissions');
        await rejectsWith(readStore.deleteRecord('k'), 403, 'insufficient-permissions');
        await rejectsWith(readStore.update({ generalAccess: 'RESTRICTED' }), 403, 'insufficient-permissions');
        await rejectsWith(reader.keyValueStores().getOrCreate(uniqueName('rd')), 403, 'insufficient-permissions');

        const writer = clientWith(await makeKey({ name: 'cf-writer', permissions: ['kv:write'] }));
        const writeStore = writer.keyValueStore(inside.id);
        assert.equal(typeof (await writeStore.get()).urlSigningSecretKey, 'string', 'kv:write sees the signing key');
        await writeStore.setRecord({ key: 'w', value: 'written' });
        assert.equal((await client.keyValueStore(inside.id).getRecord('w')).value, 'written');
        await writeStore.deleteRecord('w');
        await rejectsWith(writeStore.update({ generalAccess: 'RESTRICTED' }), 403, 'insufficient-permissions');
        await rejectsWith(writeStore.delete(), 403, 'insufficient-permissions');

        const glob = `${inside.name.replace(/-\d+$/, '')}-*`;
        assert.ok(inside.name.startsWith(glob.slice(0, -1)) && !outside.name.startsWith(glob.slice(0, -1)));
        const scoped = clientWith(await makeKey({ name: 'cf-scoped', permissions: ['kv:write'], buckets: [glob] }));
        assert.equal((await scoped.keyValueStore(inside.id).getRecord('k')).value, 'inside');
        assert.equal((await scoped.keyValueStore(`~${inside.name}`).get()).id, inside.id);
        await rejectsWith(scoped.keyValueStore(outside.id).get(), 403, 'insufficient-permissions');
        await rejectsWith(scoped.keyValueStore(outside.id).setRecord({ key: 'k', value: 'x' }), 403, 'insufficient-permissions');
        await rejectsWith(scoped.keyValueStore(unnamed.id).get(), 403, 'insufficient-permissions');
    });
});

// =============================================================================================
describe('one model with /storage/kv', () => {
    it('a store made by the client is a bucket there, and entries and records are the same data', async (t) => {
        const store = await namedStore(t, 'model');
        const kvs = client.keyValueStore(store.id);
        const bucket = await fetch(`${BASE_URL}/storage/kv/${store.name}`, { headers: AUTH });
        assert.equal(bucket.status, 200, 'the store is a bucket');
        await bucket.arrayBuffer();

        const put = await fetch(`${BASE_URL}/storage/kv/${store.name}/entries/from-quiva`, {
            method: 'PUT', headers: { ...AUTH, 'Content-Type': 'application/json' }, body: JSON.stringify({ a: 1, b: ['x'] }),
        });
        assert.equal(put.status, 200);
        await put.arrayBuffer();
        const record = await kvs.getRecord('from-quiva');
        assert.deepEqual(record.value, { a: 1, b: ['x'] });
        assert.match(record.contentType, /^application\/json/);

        const value = { list: Array.from({ length: 80 }, (_, i) => ({ i })) }; // over 1024 bytes: sent br
        await kvs.setRecord({ key: 'from-apify', value });
        const entry = await fetch(`${BASE_URL}/storage/kv/${store.name}/entries/from-apify`, { headers: AUTH });
        assert.equal(entry.status, 200);
        assert.deepEqual((await entry.json()).body.value, value, 'a br-stored JSON record reads as its value');
    });
});

// =============================================================================================
describe('coverage', () => {
    it('every key-value store method of apify-client was exercised', () => {
        const unused = [...calls].filter(([, n]) => n === 0).map(([label]) => label);
        assert.deepEqual(unused, []);
    });
});

after(() => {
    const lines = [...calls].map(([label, n]) => `  ${label.padEnd(46)} ${String(n).padStart(5)} call(s)`);
    console.log(`\napify-client methods exercised against ${BASE_URL}:\n${lines.join('\n')}\n`);
});
