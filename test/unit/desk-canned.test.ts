import { describe, expect, it } from "vitest";
import { renderTemplate, templateVariables, type TemplateVars } from "../../src/desk/canned.ts";

const vars: TemplateVars = {
  customer: { name: "Ana", orders: 3, vip: true, email: "" },
  agent: { name: "Li Wei" },
  conversation: { id: "c-123" },
};

describe("canned response templates", () => {
  it.each([
    ["dotted paths", "Hi {{customer.name}}, I'm {{agent.name}} ({{conversation.id}}).", "Hi Ana, I'm Li Wei (c-123)."],
    ["spaces inside the braces", "Hi {{ customer.name }}!", "Hi Ana!"],
    ["numbers and booleans", "{{customer.orders}} orders, vip {{customer.vip}}", "3 orders, vip true"],
    ["the placeholder's own default for a missing value", "Hi {{customer.nickname|there}}!", "Hi there!"],
    ["the placeholder's own default for an empty value", "Mail: {{customer.email | not given}}", "Mail: not given"],
    ["an object renders as missing, not as [object Object]", "x{{customer}}x", "xx"],
    ["a path through a string renders as missing", "x{{customer.name.length}}x", "xx"],
    ["text that is not a placeholder stays as written", "{{ not a path }} {{}} {customer.name}", "{{ not a path }} {{}} {customer.name}"],
  ])("renders %s", (_name, template, expected) => {
    expect(renderTemplate(template, vars)).toBe(expected);
  });

  it("renders a missing variable as the given fallback, empty by default", () => {
    expect(renderTemplate("Hi {{customer.surname}}.", vars)).toBe("Hi .");
    expect(renderTemplate("Hi {{customer.surname}}.", vars, { fallback: "friend" })).toBe("Hi friend.");
  });

  it.each(["{{constructor.name}}", "{{customer.constructor}}", "{{__proto__.toString}}", "{{customer.hasOwnProperty}}"])(
    "never reaches the object prototype through %s",
    (template) => {
      expect(renderTemplate(template, vars, { fallback: "?" })).toBe("?");
    },
  );

  it("does not evaluate anything: values are inserted once, as text", () => {
    const tricky: TemplateVars = { customer: { name: "{{agent.name}} ${1+1}" }, agent: { name: "Li" } };
    expect(renderTemplate("Hi {{customer.name}}", tricky)).toBe("Hi {{agent.name}} ${1+1}");
  });

  it("lists the variables a template uses, once each", () => {
    expect(templateVariables("{{customer.name}} {{agent.name|me}} {{customer.name}}")).toEqual(["customer.name", "agent.name"]);
  });
});
