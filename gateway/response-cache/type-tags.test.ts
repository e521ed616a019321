import { fieldTypesOf, typeTagsOfQuery } from './type-tags';

const SDL = `
  type Query { colours: [Colour!]! trim(id: ID!): Trim models: ModelPage! }
  type ModelPage { edges: [Model!]! }
  type Model { id: ID! trims: [Trim!]! }
  type Trim { id: ID! name: String! colour: Colour }
  type Colour { id: ID! hex: String! }
`;

describe('the type tags of what a subgraph fetch selects', () => {
  const types = fieldTypesOf(SDL);
  test('every object type on the way down, root fields included, leaves not', () => {
    expect(typeTagsOfQuery('{ colours { id hex } }', types, 20)).toEqual(['type:Colour']);
    expect(typeTagsOfQuery('query($id: ID!) { trim(id: $id) { name colour { hex } } }', types, 20)).toEqual(['type:Trim', 'type:Colour']);
    expect(typeTagsOfQuery('{ models { edges { trims { id } } } }', types, 20)).toEqual(['type:ModelPage', 'type:Model', 'type:Trim']);
  });
  test("an entities fetch names its types by its fragments, named or inline, and their fields' types", () => {
    const q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Trim { name colour { id } } ...M } } fragment M on Model { trims { id } }';
    expect(typeTagsOfQuery(q, types, 20)).toEqual(['type:Trim', 'type:Colour', 'type:Model']);
  });
  test('at most the limit; a text that does not parse has none', () => {
    expect(typeTagsOfQuery('{ models { edges { trims { colour { id } } } } }', types, 2)).toEqual(['type:ModelPage', 'type:Model']);
    expect(typeTagsOfQuery('{ colours {', types, 20)).toEqual([]);
  });
});
