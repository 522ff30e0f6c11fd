export default function Loading() {
  return (
    <div className="loading" role="status">
      加载中…
    </div>
  );
}
