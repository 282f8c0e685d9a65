// Greetings 😀 for everyone
export function greet(name: string): string {
  const message = "hi " + name;
  return message;
}


export class Greeter {
  constructor(private readonly prefix: string) {}
  greetAll(names: string[]): string[] {
    return names.map((n) => this.prefix + greet(n));
  }
}
