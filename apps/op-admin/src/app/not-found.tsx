import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="forbidden card">
      <h1>页面不存在</h1>
      <Link href="/">返回会话搜索</Link>
    </main>
  );
}
