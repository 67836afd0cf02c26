/**
 * A collection of posts with a visible, a hidden and a relation field: public to list, each post
 * viewable by its owner only.
 */
export const POSTS = {
  name: "posts",
  fields: [
    { name: "title", type: "text", required: true },
    { name: "secret", type: "text", hidden: true },
    { name: "owner", type: "relation", collection: "users" },
  ],
  listRule: "",
  viewRule: "owner = @request.auth.id",
};
