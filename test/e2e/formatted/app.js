// Greetings 😀 for everyone
export function greet(name) {
  const message = "hi " + name;
  return message;
}


export class Greeter {
  constructor(prefix) { this.prefix = prefix; }
  greetAll(names) {
    return names.map((n) => this.prefix + greet(n));
  }
}
