import { useEffect, useRef, useState } from 'preact/hooks';
import { Countdown, Field, ProblemNote, useLive, useNow, useShell } from '../components';
import { localToIso, money, parseMoney, when } from '../format';
import { SaleRates } from '../sale-rate';
import type { Product } from '../types';

interface ProductPage {
  products: Product[];
  nextCursor: string | null;
}

/** The catalogue: list, create, restock, and live flash-sale figures. */
export function ProductsPage() {
  const { api } = useShell();
  const [products, setProducts] = useState<Product[]>();
  const [more, setMore] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const rates = useRef(new SaleRates(api));
  const [, setTick] = useState(0);
  const now = useNow();

  /** Reloads the pages on screen (as many products as are shown), newest first. */
  const load = async (count = Math.max(products?.length ?? 0, 20)) => {
    try {
      const limit = Math.min(100, count);
      const { body } = await api.get<ProductPage>(`/v1/products?limit=${limit}`);
      setProducts(body.products);
      setMore(body.nextCursor);
      setError(undefined);
      const onSale = body.products.some(
        (p) => p.saleStartsAt !== null && Date.parse(p.saleStartsAt) <= Date.now(),
      );
      if (onSale) {
        await rates.current.tick();
        setTick((n) => n + 1);
      }
    } catch (e) {
      setError(e);
    }
  };
  const loadMore = async () => {
    if (!more) return;
    const { body } = await api.get<ProductPage>(`/v1/products?limit=20&cursor=${more}`);
    setProducts([...(products ?? []), ...body.products]);
    setMore(body.nextCursor);
  };
  useEffect(() => void load(20), []);
  useLive(() => void load());

  return (
    <section aria-labelledby="products-title">
      <h1 id="products-title">Products</h1>
      <CreateProduct products={products ?? []} onCreated={() => void load()} />
      {error ? <ProblemNote error={error} /> : null}
      <div class="table-wrap">
        <table class="products" aria-busy={products === undefined}>
          <caption class="visually-hidden">Products, newest first</caption>
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col" class="wide">
                Name
              </th>
              <th scope="col" class="num">
                Price
              </th>
              <th scope="col" class="num">
                Stock
              </th>
              <th scope="col">Sale</th>
              <th scope="col">Restock</th>
            </tr>
          </thead>
          <tbody>
            {(products ?? []).map((p) => (
              <tr key={p.id} data-product-id={p.id}>
                <td>
                  <code>{p.sku}</code>
                  {p.giftProductId ? <span class="tag">with gift</span> : null}
                  {p.perBuyerLimit ? (
                    <span class="tag">max {p.perBuyerLimit} per buyer</span>
                  ) : null}
                </td>
                <td class="wide">{p.name}</td>
                <td class="num">{money(p.priceCents, p.currency)}</td>
                <td class="num">{p.stock}</td>
                <td>
                  <SaleCell
                    product={p}
                    now={now}
                    rate={rates.current.rate(p.id)}
                    capped={rates.current.capped}
                  />
                </td>
                <td>
                  <Restock product={p} onDone={() => void load()} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {more ? (
        <button type="button" class="secondary" onClick={() => void loadMore()}>
          More products
        </button>
      ) : null}
    </section>
  );
}

function SaleCell(props: { product: Product; now: number; rate: number; capped: boolean }) {
  const { product: p, now } = props;
  if (!p.saleStartsAt) return <span class="muted">—</span>;
  if (Date.parse(p.saleStartsAt) > now) {
    return (
      <span>
        starts <Countdown iso={p.saleStartsAt} />
      </span>
    );
  }
  return (
    <span class="sale-live" aria-live="polite" data-testid="sale">
      <span class="dot" aria-hidden="true" /> on sale since {when(p.saleStartsAt)}:{' '}
      <strong data-testid="units-left">{p.stock} left</strong> ·{' '}
      <strong data-testid="orders-per-second">
        {props.capped ? '≥ ' : ''}
        {props.rate.toFixed(1)} orders/s
      </strong>
    </span>
  );
}

function Restock(props: { product: Product; onDone: () => void }) {
  const { api } = useShell();
  const [quantity, setQuantity] = useState('');
  const [error, setError] = useState<unknown>();
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      await api.post(`/v1/products/${props.product.id}/restock`, { quantity: Number(quantity) });
      setQuantity('');
      setError(undefined);
      props.onDone();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form class="inline" onSubmit={(e) => void submit(e)}>
      <input
        type="number"
        min={1}
        required
        aria-label={`Units to add to ${props.product.sku}`}
        value={quantity}
        onInput={(e) => setQuantity(e.currentTarget.value)}
      />
      <button type="submit" aria-label={`Restock ${props.product.sku}`}>
        Add
      </button>
      {error ? <ProblemNote error={error} /> : null}
    </form>
  );
}

const EMPTY = {
  sku: '',
  name: '',
  price: '',
  currency: 'USD',
  stock: '',
  limit: '',
  startsAt: '',
  gift: '',
};

function CreateProduct(props: { products: Product[]; onCreated: () => void }) {
  const { api } = useShell();
  const [form, setForm] = useState(EMPTY);
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<string>();
  const set = (field: keyof typeof EMPTY) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [field]: e.currentTarget.value });
  const submit = async (event: Event) => {
    event.preventDefault();
    const priceCents = parseMoney(form.price, form.currency);
    if (Number.isNaN(priceCents)) {
      setError(new Error('The price must be an amount such as 12.50.'));
      return;
    }
    const startsAt = localToIso(form.startsAt);
    try {
      const { body } = await api.post<Product>('/v1/products', {
        sku: form.sku,
        name: form.name,
        priceCents,
        currency: form.currency,
        stock: Number(form.stock),
        ...(form.limit ? { perBuyerLimit: Number(form.limit) } : {}),
        ...(startsAt ? { saleStartsAt: startsAt } : {}),
        ...(form.gift ? { giftProductId: form.gift } : {}),
      });
      setForm(EMPTY);
      setError(undefined);
      setCreated(`Created ${body.sku}.`);
      props.onCreated();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <details class="create">
      <summary>New product</summary>
      <form onSubmit={(e) => void submit(e)} class="grid-form" aria-label="New product">
        <Field label="SKU">
          <input name="sku" required maxLength={64} value={form.sku} onInput={set('sku')} />
        </Field>
        <Field label="Name">
          <input name="name" required value={form.name} onInput={set('name')} />
        </Field>
        <Field label="Price">
          <input
            name="price"
            required
            inputMode="decimal"
            value={form.price}
            onInput={set('price')}
          />
        </Field>
        <Field label="Currency">
          <input
            name="currency"
            required
            pattern="[A-Z]{3}"
            value={form.currency}
            onInput={set('currency')}
          />
        </Field>
        <Field label="Stock">
          <input
            name="stock"
            type="number"
            min={0}
            required
            value={form.stock}
            onInput={set('stock')}
          />
        </Field>
        <Field label="Per-buyer limit" hint="optional, 1 to 1000">
          <input
            name="perBuyerLimit"
            type="number"
            min={1}
            max={1000}
            value={form.limit}
            onInput={set('limit')}
          />
        </Field>
        <Field label="Sale starts at" hint="optional: a flash sale">
          <input
            name="saleStartsAt"
            type="datetime-local"
            value={form.startsAt}
            onInput={set('startsAt')}
          />
        </Field>
        <Field label="Gift">
          <select name="gift" value={form.gift} onChange={set('gift')}>
            <option value="">no gift</option>
            {props.products.map((p) => (
              <option key={p.id} value={p.id}>
                {p.sku} — {p.name}
              </option>
            ))}
          </select>
        </Field>
        <div class="actions">
          <button type="submit">Create product</button>
        </div>
        {created ? <p role="status">{created}</p> : null}
        {error ? <ProblemNote error={error} /> : null}
      </form>
    </details>
  );
}
